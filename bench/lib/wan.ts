// WAN mode of the /checkimages benchmark: the service and the bare floor client reach docker-registry through a
// delay proxy (bench/lib/delay-proxy.ts) at each round-trip time asked, interleaved, and each cell reports its
// latency in round trips next to the floor's, with the requests and new connections the proxy counted per image.
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_SIGNER_SUBJECT, DEMO_TRUST_POLICY, kyvernoImagesRequest, type DemoImage } from '../../src/demo/index.js';
import { generateCertificateChain, signArtifact } from '../../src/notary/index.js';
import { createBenchFixture, type BenchFixture } from './fixtures.js';
import { DelayProxyProcess, type DelayProxyCounts } from './delay-proxy.js';
import { Floor, subjectRdns } from './floor.js';
import { SequentialClient } from './load.js';
import { percentile, ratio, round } from './stats.js';
import { startChildTarget, type Target } from './target.js';

export interface WanOptions {
  rttMs: number[];
  /** Measured iterations per cell (after `warmup` discarded ones). */
  repeats: number;
  warmup: number;
  /** Images of the large request. */
  manyImages: number;
  /** Idle gap before the "first request after an idle gap" cell, in seconds. */
  idleGapSeconds: number;
  log(line: string): void;
}

export interface WanCell {
  /** Service p50 / p95 in ms, and p50 in round trips. */
  p50_ms: number;
  p95_ms: number;
  rtts: number;
  floor_p50_ms?: number;
  floor_p95_ms?: number;
  floor_rtts?: number;
  /** Registry requests and new connections per image of one service request, counted at the proxy. */
  requests_per_image: number;
  connections_per_image: number;
  /** Referrers API requests (the capability probe) per request. */
  referrers_api_requests?: number;
  floor_requests_per_image?: number;
  floor_connections_per_image?: number;
  samples: number;
}

export interface WanRttResult {
  rtt_ms: number;
  tag_1: WanCell;
  digest_1: WanCell;
  tag_many: WanCell;
  /** tag_many p50 / tag_1 p50. */
  many_over_one: number;
  signatures_3: WanCell;
  /** (signatures_3 p50 - tag_1 p50) / RTT. */
  signatures_3_extra_rtts: number;
  warm_many: WanCell;
  idle_gap: WanCell & { gap_s: number };
  fresh_process: WanCell;
}

export interface WanResult {
  benchmark: 'checkimages-wan';
  date: string;
  node: string;
  many_images: number;
  repeats: number;
  by_rtt: WanRttResult[];
  duration_s: number;
}

/** `image` as named through the proxy at `host`. */
function proxied(image: DemoImage, host: string): DemoImage {
  return { ...image, registry: host, reference: `${host}/${image.repository}:${image.tag}` };
}

/** Kyverno's request body; by digest, the entry carries the digest and no tag (as Kyverno sends for `image@sha256:…`). */
function requestBody(images: readonly DemoImage[], byDigest: boolean): string {
  const body = kyvernoImagesRequest(images.map((image, index) => ({ name: `c${index}`, image })), DEMO_TRUST_POLICY) as {
    images: { containers: Record<string, Record<string, string>> };
  };
  if (byDigest) {
    for (const [index, entry] of Object.values(body.images.containers).entries()) {
      const image = images[index] as DemoImage;
      entry.tag = '';
      entry.digest = image.digest;
      entry.reference = `${image.registry}/${image.repository}@${image.digest}`;
      entry.referenceWithTag = entry.reference;
    }
  }
  return JSON.stringify(body);
}

function verified(status: number, body: string, images: readonly DemoImage[], what: string): void {
  if (status !== 200) throw new Error(`${what}: /checkimages answered ${status}: ${body.slice(0, 400)}`);
  for (const image of images) if (!body.includes(image.digest)) throw new Error(`${what}: the answer lacks ${image.digest}`);
}

function delta(after: DelayProxyCounts, before: DelayProxyCounts): DelayProxyCounts {
  const byKind: Record<string, number> = {};
  for (const [kind, value] of Object.entries(after.byKind)) byKind[kind] = value - (before.byKind[kind] ?? 0);
  return { connections: after.connections - before.connections, requests: after.requests - before.requests, byKind };
}

interface Samples {
  ms: number[];
  counts: DelayProxyCounts[];
}

function keep(samples: Samples, sample: { ms: number; counts: DelayProxyCounts }): void {
  samples.ms.push(sample.ms);
  samples.counts.push(sample.counts);
}

async function timed(proxy: DelayProxyProcess, run: () => Promise<void>): Promise<{ ms: number; counts: DelayProxyCounts }> {
  const before = await proxy.snapshot();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  return { ms, counts: delta(await proxy.snapshot(), before) };
}

function cell(rtt: number, images: number, service: Samples, floor?: Samples): WanCell {
  const perImage = (samples: Samples, key: 'requests' | 'connections') =>
    round(samples.counts.reduce((total, c) => total + c[key], 0) / samples.counts.length / images, 2);
  const p50 = percentile(service.ms, 50);
  const referrers = service.counts.reduce((total, c) => total + (c.byKind.referrers ?? 0), 0) / service.counts.length;
  return {
    p50_ms: round(p50, 1),
    p95_ms: round(percentile(service.ms, 95), 1),
    rtts: round(p50 / rtt, 2),
    ...(floor
      ? {
          floor_p50_ms: round(percentile(floor.ms, 50), 1),
          floor_p95_ms: round(percentile(floor.ms, 95), 1),
          floor_rtts: round(percentile(floor.ms, 50) / rtt, 2),
          floor_requests_per_image: perImage(floor, 'requests'),
          floor_connections_per_image: perImage(floor, 'connections'),
        }
      : {}),
    requests_per_image: perImage(service, 'requests'),
    connections_per_image: perImage(service, 'connections'),
    referrers_api_requests: round(referrers, 2),
    samples: service.ms.length,
  };
}

/** One image signed three times: by the trusted key first (oldest), then twice by an untrusted one (newer). */
async function threeSignatureImage(fixture: BenchFixture): Promise<DemoImage> {
  const { environment } = fixture;
  const image = environment.unsigned[0];
  if (!image) throw new Error('the fixture has no unsigned image to sign three times');
  const store = environment.client.repository(environment.registry.host, image.repository);
  const untrusted = await generateCertificateChain({ keyType: 'ec-256', leaf: { commonName: 'untrusted signer', subject: DEMO_SIGNER_SUBJECT } });
  // `org.opencontainers.image.created` has second precision: a second apart keeps newest-first unambiguous.
  await signArtifact(store, image.digest, { key: environment.chain.leaf.privateKey, certificateChain: environment.chain.chain, signatureFormat: 'jws' });
  for (let i = 0; i < 2; i++) {
    await sleep(1100);
    await signArtifact(store, image.digest, { key: untrusted.leaf.privateKey, certificateChain: untrusted.chain, signatureFormat: 'jws' });
  }
  return { ...image, signed: true };
}

export async function runWan(options: WanOptions): Promise<WanResult> {
  const startedAt = performance.now();
  const { log, repeats, warmup } = options;
  log(`WAN: setting up docker-registry with ${options.manyImages} signed images and one with 3 signatures`);
  const fixture = await createBenchFixture({ images: options.manyImages, memoryImages: 0, unsignedImages: 1 });
  const registryUrl = new URL(fixture.environment.registry.url);
  const proxy = await DelayProxyProcess.start({ host: registryUrl.hostname, port: Number(registryUrl.port) }, options.rttMs[0] ?? 0);
  const targets: Target[] = [];
  const clients: SequentialClient[] = [];
  const floorOptions = {
    registryUrl: `http://${proxy.host}`,
    trustAnchorDer: fixture.rootDer,
    trustedSubject: subjectRdns(DEMO_SIGNER_SUBJECT),
    concurrency: options.manyImages,
    connections: options.manyImages,
  };
  const floor = new Floor(floorOptions);
  try {
    const images = fixture.images.map((image) => proxied(image, proxy.host));
    const three = proxied(await threeSignatureImage(fixture), proxy.host);
    const one = images.slice(0, 1);
    const many = images.slice(0, options.manyImages);
    const cold = await startChildTarget({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: false });
    targets.push(cold);
    const warm = await startChildTarget({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: true });
    targets.push(warm);
    const coldClient = new SequentialClient(cold.url);
    const warmClient = new SequentialClient(warm.url);
    clients.push(coldClient, warmClient);

    const post = async (client: SequentialClient, list: readonly DemoImage[], byDigest: boolean, what: string) => {
      const res = await client.post(requestBody(list, byDigest));
      verified(res.status, res.body, list, what);
    };
    /** Service and floor alternately (which goes first alternates too), `warmup` discarded rounds first. */
    const interleaved = async (run: () => Promise<void>, runFloor?: () => Promise<void>): Promise<{ service: Samples; floor?: Samples }> => {
      const service: Samples = { ms: [], counts: [] };
      const bare: Samples = { ms: [], counts: [] };
      for (let i = 0; i < warmup + repeats; i++) {
        const steps: Array<() => Promise<void>> = [
          async () => {
            const sample = await timed(proxy, run);
            if (i >= warmup) keep(service, sample);
          },
          ...(runFloor
            ? [
                async () => {
                  const sample = await timed(proxy, runFloor);
                  if (i >= warmup) keep(bare, sample);
                },
              ]
            : []),
        ];
        if (i % 2 === 1) steps.reverse();
        for (const step of steps) await step();
      }
      return runFloor ? { service, floor: bare } : { service };
    };
    const floorRun = (list: readonly DemoImage[], byDigest: boolean) => async () => {
      const digests = await floor.verifyRequest(list, byDigest);
      if (digests.some((digest, index) => digest !== list[index]?.digest)) throw new Error('floor: wrong digest');
    };

    const byRtt: WanRttResult[] = [];
    for (const rtt of options.rttMs) {
      await proxy.setRtt(rtt);
      log(`WAN rtt ${rtt} ms: 1 image by tag`);
      const tag1 = await interleaved(() => post(coldClient, one, false, 'tag 1'), floorRun(one, false));
      log(`WAN rtt ${rtt} ms: 1 image by digest`);
      const digest1 = await interleaved(() => post(coldClient, one, true, 'digest 1'), floorRun(one, true));
      log(`WAN rtt ${rtt} ms: ${many.length} images by tag`);
      const tagMany = await interleaved(() => post(coldClient, many, false, `tag ${many.length}`), floorRun(many, false));
      log(`WAN rtt ${rtt} ms: 1 image, 3 signatures (only the oldest trusted)`);
      const sig3 = await interleaved(() => post(coldClient, [three], false, '3 signatures'));
      log(`WAN rtt ${rtt} ms: warm, ${many.length} images by tag`);
      await post(warmClient, many, false, 'warm prime');
      const warmMany = await interleaved(
        () => post(warmClient, many, false, `warm ${many.length}`),
        async () => {
          await floor.resolveRequest(many);
        },
      );
      log(`WAN rtt ${rtt} ms: first request after ${options.idleGapSeconds} s idle`);
      await sleep(options.idleGapSeconds * 1000);
      const idle = await timed(proxy, () => post(coldClient, one, false, 'after idle gap'));
      log(`WAN rtt ${rtt} ms: a fresh process, ${many.length} images`);
      const fresh = await startChildTarget({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: false });
      const freshClient = new SequentialClient(fresh.url);
      let freshSample;
      try {
        freshSample = await timed(proxy, () => post(freshClient, many, false, 'fresh process'));
      } finally {
        await freshClient.close();
        await fresh.close();
      }
      const freshFloor = new Floor(floorOptions);
      let freshFloorSample;
      try {
        freshFloorSample = await timed(proxy, async () => {
          const digests = await freshFloor.verifyRequest(many, false);
          if (digests.some((digest, index) => digest !== many[index]?.digest)) throw new Error('fresh floor: wrong digest');
        });
      } finally {
        await freshFloor.close();
      }

      const tag1Cell = cell(rtt, 1, tag1.service, tag1.floor);
      const tagManyCell = cell(rtt, many.length, tagMany.service, tagMany.floor);
      const sig3Cell = cell(rtt, 1, sig3.service);
      byRtt.push({
        rtt_ms: rtt,
        tag_1: tag1Cell,
        digest_1: cell(rtt, 1, digest1.service, digest1.floor),
        tag_many: tagManyCell,
        many_over_one: ratio(tagManyCell.p50_ms, tag1Cell.p50_ms),
        signatures_3: sig3Cell,
        signatures_3_extra_rtts: round((sig3Cell.p50_ms - tag1Cell.p50_ms) / rtt, 2),
        warm_many: cell(rtt, many.length, warmMany.service, warmMany.floor),
        idle_gap: { ...cell(rtt, 1, { ms: [idle.ms], counts: [idle.counts] }), gap_s: options.idleGapSeconds },
        fresh_process: cell(rtt, many.length, { ms: [freshSample.ms], counts: [freshSample.counts] }, { ms: [freshFloorSample.ms], counts: [freshFloorSample.counts] }),
      });
      log(`WAN rtt ${rtt} ms: ${JSON.stringify(byRtt.at(-1))}`);
    }
    return {
      benchmark: 'checkimages-wan',
      date: new Date().toISOString(),
      node: process.version,
      many_images: many.length,
      repeats,
      by_rtt: byRtt,
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(targets.map((target) => target.close()));
    await floor.close();
    await proxy.close();
    await fixture.close();
  }
}
