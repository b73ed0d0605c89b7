// The /checkimages benchmark: cold latency next to its floor, warm latency and throughput next to a bare
// fastify handler, and memory with the cache filled past its maximum. Returns one JSON-ready object.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { DEMO_SIGNER_SUBJECT, type DemoImage } from '../../src/demo/index.js';
import { DEFAULT_IMAGE_CONCURRENCY } from '../../src/service/index.js';
import { checkImagesBody, createBenchFixture, type BenchFixture } from './fixtures.js';
import { Floor, FLOOR_CONNECTIONS, FLOOR_REQUESTS_PER_IMAGE, subjectRdns } from './floor.js';
import { runLoad, SequentialClient, type LoadResult } from './load.js';
import { percentile, ratio, round } from './stats.js';
import { measureSharedCache, type SharedCacheOptions, type SharedCacheResult } from './shared-cache.js';
import { startChildTarget, startInlineTarget, type MemoryReading, type Target, type TargetSpec, type TargetStats } from './target.js';

export interface BenchOptions {
  /** Images per /checkimages request, one measurement each. */
  imageCounts: number[];
  /** Measured cold iterations per image count (after the warm-up ones). */
  coldIterations(images: number): number;
  /** Cold (and floor) iterations run first and discarded: JIT, connection pools, the Referrers API probe. */
  coldWarmupIterations: number;
  /** autocannon run per warm / bare measurement, after a discarded warm-up run. */
  warmDurationSeconds: number;
  warmWarmupSeconds: number;
  warmConnections: number;
  memory: {
    /** The service's --cacheMaxSize in the memory run. */
    cacheMaxSize: number;
    /** Distinct signed images verified (and cached) in the memory run; more than cacheMaxSize. */
    images: number;
    imagesPerRequest: number;
    /** Times the images are gone through (evicted ones are verified again: the heap must not grow). */
    passes: number;
  };
  /** 1 vs 2 service processes sharing one redis-server (over the memory run's images); skipped when absent. */
  sharedCache?: SharedCacheOptions;
  /** Run the servers in this process instead of child processes (the smoke test: no build needed). */
  inline: boolean;
  /** Extra node options of the service child processes (e.g. --cpu-prof). */
  childNodeOptions: string[];
  log(line: string): void;
}

/** Per image count, the fields the issue asks for plus what explains them. */
export interface ImageCountResult {
  images: number;
  cold_iterations: number;
  cold_p50_ms: number;
  cold_p95_ms: number;
  floor_p50_ms: number;
  floor_p95_ms: number;
  /** cold_p50_ms / floor_p50_ms */
  cold_over_floor: number;
  warm_p50_ms: number;
  warm_p99_ms: number;
  warm_rps: number;
  bare_p50_ms: number;
  bare_p99_ms: number;
  bare_rps: number;
  /** warm_rps / bare_rps */
  warm_over_bare: number;
  /** The bare handler resolving every tag of the request first (keep-alive HEADs, the service's concurrency). */
  bare_resolve_p50_ms: number;
  bare_resolve_p99_ms: number;
  bare_resolve_rps: number;
  /** warm_rps / bare_resolve_rps: how close the service gets to what resolving every tag on every request allows. */
  warm_over_bare_resolve: number;
  /**
   * Registry operations per image of one cold verification, as the service's metrics count them
   * (resolve, referrers, fetchManifest, fetchBlob: one HTTP request each once the registry is known to
   * lack the Referrers API), and the floor's HTTP requests per image.
   */
  service_registry_ops_per_image: number;
  floor_registry_requests_per_image: number;
  /** Registry operations per image of one warm (cached) request: the tag is resolved again every time. */
  warm_registry_ops_per_image: number;
  /**
   * CPU time per request: the cold service process and the floor (in the benchmark process, floor runs
   * only); the warm service process and the bare + resolve handler. Less sensitive than latency to what
   * else the machine runs.
   */
  cold_cpu_ms_per_request: number;
  floor_cpu_ms_per_request: number;
  warm_cpu_ms_per_request: number;
  bare_resolve_cpu_ms_per_request: number;
  /** TCP connections the service opened to the registry during the measured cold iterations / the warm autocannon runs. */
  cold_registry_connections_opened: number;
  warm_registry_connections_opened: number;
  request_bytes: number;
  response_bytes: number;
  warm_failures: number;
}

export interface MemorySample {
  images_verified: number;
  cache_size: number;
  heap_used_mb: number;
  rss_mb: number;
}

export interface MemoryResult {
  cache_max_size: number;
  distinct_images: number;
  passes: number;
  /** Verifications in all (distinct_images × passes). */
  images_verified: number;
  images_per_request: number;
  cache_size_after: number;
  cache_bounded: boolean;
  heap_used_mb_start: number;
  /** Heap once the cache first holds cacheMaxSize verdicts, and after all distinct images. */
  heap_used_mb_at_max: number;
  heap_used_mb_end: number;
  rss_mb_start: number;
  rss_mb_end: number;
  samples: MemorySample[];
}

export interface BenchResult {
  benchmark: 'checkimages';
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpu_model: string;
  registry: string;
  imgverify: string;
  settings: {
    cold_warmup_iterations: number;
    warm_duration_s: number;
    warm_warmup_s: number;
    warm_connections: number;
    image_concurrency: number;
    floor_connections: number;
    targets: 'child processes' | 'inline';
  };
  by_image_count: Record<string, ImageCountResult>;
  memory: MemoryResult;
  shared_cache?: SharedCacheResult;
  duration_s: number;
}

const MB = 1024 * 1024;

function mb(bytes: number): number {
  return round(bytes / MB, 1);
}

async function packageVersion(): Promise<string> {
  for (const path of ['../../package.json', '../../../package.json']) {
    try {
      const text = await readFile(new URL(path, import.meta.url), 'utf8');
      const parsed = JSON.parse(text) as { name?: string; version?: string };
      if (parsed.name === 'imgverify' && parsed.version) return parsed.version;
    } catch {
      // Try the next place: the source tree and dist/ sit at different depths.
    }
  }
  return 'unknown';
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, value) => total + value, 0);
}

/** Every image of `images` must be in the 200 body with its digest: a bench of failing requests measures nothing. */
function assertVerified(status: number, body: string, images: readonly DemoImage[], what: string): void {
  if (status !== 200) throw new Error(`${what}: /checkimages answered ${status}: ${body.slice(0, 500)}`);
  for (const image of images) {
    if (!body.includes(image.digest)) throw new Error(`${what}: the answer does not carry ${image.reference}'s digest ${image.digest}`);
  }
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  const startedAt = performance.now();
  const { log } = options;
  const maxImages = Math.max(...options.imageCounts);
  const start = (spec: TargetSpec, nodeOptions: string[] = []): Promise<Target> =>
    options.inline ? startInlineTarget(spec) : startChildTarget(spec, nodeOptions);

  log(`setting up docker-registry with ${maxImages} signed images and ${options.memory.images} more for the memory run`);
  const fixture: BenchFixture = await createBenchFixture({ images: maxImages, memoryImages: options.memory.images });
  const targets: Target[] = [];
  const clients: SequentialClient[] = [];
  const floor = new Floor({
    registryUrl: fixture.environment.registry.url,
    trustAnchorDer: fixture.rootDer,
    trustedSubject: subjectRdns(DEMO_SIGNER_SUBJECT),
    concurrency: DEFAULT_IMAGE_CONCURRENCY,
  });
  try {
    log(`fixture ready in ${round((performance.now() - startedAt) / 1000, 1)} s (${fixture.registryVersion})`);
    const configDir = fixture.environment.configDir;
    const results: Record<string, Partial<ImageCountResult>> = {};

    // Cold: cache off, one request at a time, interleaved with the floor so both see the same machine.
    const cold = await start({ kind: 'service', configDir, cacheEnabled: false }, options.childNodeOptions);
    targets.push(cold);
    const coldClient = new SequentialClient(cold.url);
    clients.push(coldClient);
    for (const count of options.imageCounts) {
      const images = fixture.images.slice(0, count);
      const body = checkImagesBody(images);
      const iterations = options.coldIterations(count);
      const coldMs: number[] = [];
      const floorMs: number[] = [];
      let floorCpuMs = 0;
      let before: TargetStats | undefined;
      for (let i = 0; i < options.coldWarmupIterations + iterations; i++) {
        const measured = i >= options.coldWarmupIterations;
        if (i === options.coldWarmupIterations) before = await cold.stats();
        const runCold = async () => {
          const res = await coldClient.post(body);
          assertVerified(res.status, res.body, images, `cold ${count}`);
          if (measured) coldMs.push(res.ms);
        };
        const runFloor = async () => {
          const floorStarted = performance.now();
          const cpuBefore = process.cpuUsage();
          const digests = await floor.verifyRequest(images);
          const ms = performance.now() - floorStarted;
          const cpu = process.cpuUsage(cpuBefore);
          if (digests.some((digest, index) => digest !== images[index]?.digest)) throw new Error(`floor ${count}: wrong digest`);
          if (measured) {
            floorMs.push(ms);
            floorCpuMs += (cpu.user + cpu.system) / 1000;
          }
        };
        // Alternate which goes first, so neither always runs right after the other.
        if (i % 2 === 0) {
          await runCold();
          await runFloor();
        } else {
          await runFloor();
          await runCold();
        }
      }
      const after = await cold.stats();
      const p50 = percentile(coldMs, 50);
      const floorP50 = percentile(floorMs, 50);
      results[count] = {
        images: count,
        cold_iterations: iterations,
        cold_p50_ms: round(p50),
        cold_p95_ms: round(percentile(coldMs, 95)),
        floor_p50_ms: round(floorP50),
        floor_p95_ms: round(percentile(floorMs, 95)),
        cold_over_floor: ratio(p50, floorP50),
        service_registry_ops_per_image: round((sum(after.registryOperations) - sum(before?.registryOperations ?? {})) / (iterations * count), 2),
        floor_registry_requests_per_image: FLOOR_REQUESTS_PER_IMAGE,
        cold_registry_connections_opened: after.connectionsOpened - (before?.connectionsOpened ?? 0),
        cold_cpu_ms_per_request: round((after.cpuMs - (before?.cpuMs ?? 0)) / iterations),
        floor_cpu_ms_per_request: round(floorCpuMs / iterations),
        request_bytes: Buffer.byteLength(body),
      };
      log(`cold ${count} image(s): p50 ${round(p50)} ms, floor p50 ${round(floorP50)} ms (${iterations} iterations)`);
    }
    await cold.close();
    await coldClient.close();

    // Warm: cache on and primed. Next to it, measured the same way: a bare fastify handler answering the
    // same bytes, and the same handler resolving the same tags first (what every warm request must do).
    const warm = await start({ kind: 'service', configDir, cacheEnabled: true }, options.childNodeOptions);
    targets.push(warm);
    const bare = await start({ kind: 'bare', registryUrl: fixture.environment.registry.url, concurrency: DEFAULT_IMAGE_CONCURRENCY });
    targets.push(bare);
    const warmClient = new SequentialClient(warm.url);
    clients.push(warmClient);
    const bareClient = new SequentialClient(bare.url);
    clients.push(bareClient);
    const load = async (target: Target, body: string): Promise<LoadResult & { warmupResponses: number }> => {
      const warmup =
        options.warmWarmupSeconds > 0
          ? await runLoad({ url: target.url, body, connections: options.warmConnections, durationSeconds: options.warmWarmupSeconds })
          : undefined;
      const measured = await runLoad({ url: target.url, body, connections: options.warmConnections, durationSeconds: options.warmDurationSeconds });
      return { ...measured, warmupResponses: warmup ? warmup.responses + warmup.failures : 0 };
    };
    for (const count of options.imageCounts) {
      const images = fixture.images.slice(0, count);
      const body = checkImagesBody(images);
      const primed = await warmClient.post(body);
      assertVerified(primed.status, primed.body, images, `warm ${count} (priming)`);
      const before = await warm.stats();
      const again = await warmClient.post(body);
      assertVerified(again.status, again.body, images, `warm ${count} (cached)`);
      const warmOperations = sum((await warm.stats()).registryOperations) - sum(before.registryOperations);

      const warmBefore = await warm.stats();
      const warmLoad = await load(warm, body);
      const warmStats = await warm.stats();
      await bare.configure({ body: primed.body });
      const bareAnswer = await bareClient.post(body);
      if (bareAnswer.body !== primed.body) throw new Error('the bare handler does not answer the service\'s body');
      const bareLoad = await load(bare, body);
      await bare.configure({ body: primed.body, resolve: images.map(({ repository, tag }) => ({ repository, tag })) });
      const resolveBefore = await bare.stats();
      const resolveLoad = await load(bare, body);
      const resolveStats = await bare.stats();
      Object.assign(results[count] as Partial<ImageCountResult>, {
        warm_p50_ms: round(warmLoad.p50Ms),
        warm_p99_ms: round(warmLoad.p99Ms),
        warm_rps: round(warmLoad.rps, 1),
        bare_p50_ms: round(bareLoad.p50Ms),
        bare_p99_ms: round(bareLoad.p99Ms),
        bare_rps: round(bareLoad.rps, 1),
        warm_over_bare: ratio(warmLoad.rps, bareLoad.rps),
        bare_resolve_p50_ms: round(resolveLoad.p50Ms),
        bare_resolve_p99_ms: round(resolveLoad.p99Ms),
        bare_resolve_rps: round(resolveLoad.rps, 1),
        warm_over_bare_resolve: ratio(warmLoad.rps, resolveLoad.rps),
        warm_registry_ops_per_image: round(warmOperations / count, 2),
        warm_registry_connections_opened: warmStats.connectionsOpened - warmBefore.connectionsOpened,
        // CPU per request over the warm-up and measured runs (the same requests, so the ratio holds).
        warm_cpu_ms_per_request: round((warmStats.cpuMs - warmBefore.cpuMs) / (warmLoad.warmupResponses + warmLoad.responses)),
        bare_resolve_cpu_ms_per_request: round((resolveStats.cpuMs - resolveBefore.cpuMs) / (resolveLoad.warmupResponses + resolveLoad.responses)),
        response_bytes: Buffer.byteLength(primed.body),
        warm_failures: warmLoad.failures + bareLoad.failures + resolveLoad.failures,
      });
      log(
        `warm ${count} image(s): ${round(warmLoad.rps, 1)} req/s (p50 ${round(warmLoad.p50Ms)} ms); bare ${round(bareLoad.rps, 1)} req/s; ` +
          `bare + resolve ${round(resolveLoad.rps, 1)} req/s`,
      );
    }
    await warm.close();
    await bare.close();

    const memory = await measureMemory(fixture, configDir, options, start);
    const sharedCache = options.sharedCache ? await measureSharedCache(fixture.memoryImages, configDir, options.sharedCache, start, log) : undefined;

    const byImageCount: Record<string, ImageCountResult> = {};
    for (const count of options.imageCounts) byImageCount[String(count)] = results[count] as ImageCountResult;
    return {
      benchmark: 'checkimages',
      date: new Date().toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      registry: fixture.registryVersion,
      imgverify: await packageVersion(),
      settings: {
        cold_warmup_iterations: options.coldWarmupIterations,
        warm_duration_s: options.warmDurationSeconds,
        warm_warmup_s: options.warmWarmupSeconds,
        warm_connections: options.warmConnections,
        image_concurrency: DEFAULT_IMAGE_CONCURRENCY,
        floor_connections: FLOOR_CONNECTIONS,
        targets: options.inline ? 'inline' : 'child processes',
      },
      by_image_count: byImageCount,
      memory,
      ...(sharedCache ? { shared_cache: sharedCache } : {}),
      duration_s: round((performance.now() - startedAt) / 1000, 1),
    };
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const target of targets) await target.close().catch(() => undefined);
    await floor.close();
    await fixture.close();
  }
}

/** Verify more distinct images than the cache holds, reading memory (after GC) as it fills. */
async function measureMemory(
  fixture: BenchFixture,
  configDir: string,
  options: BenchOptions,
  start: (spec: TargetSpec) => Promise<Target>,
): Promise<MemoryResult> {
  const { cacheMaxSize, imagesPerRequest, passes } = options.memory;
  const images = fixture.memoryImages;
  options.log(`memory: ${images.length} distinct images, ${passes} pass(es), through a service with cacheMaxSize ${cacheMaxSize}`);
  const service = await start({ kind: 'service', configDir, cacheEnabled: true, cacheMaxSize });
  const client = new SequentialClient(service.url);
  try {
    const sample = (verified: number, reading: MemoryReading): MemorySample => ({
      images_verified: verified,
      cache_size: reading.cacheSize,
      heap_used_mb: mb(reading.heapUsedBytes),
      rss_mb: mb(reading.rssBytes),
    });
    const first = await service.memory();
    const samples: MemorySample[] = [sample(0, first)];
    let atMax: MemoryReading | undefined;
    const total = images.length * passes;
    let verified = 0;
    for (let pass = 0; pass < passes; pass++) {
      for (let offset = 0; offset < images.length; offset += imagesPerRequest) {
        const batch = images.slice(offset, offset + imagesPerRequest);
        const res = await client.post(checkImagesBody(batch));
        assertVerified(res.status, res.body, batch, 'memory run');
        verified += batch.length;
        const reading = await service.memory();
        if (!atMax && reading.cacheSize >= cacheMaxSize) atMax = reading;
        if (verified % (imagesPerRequest * 10) === 0 || verified === total) samples.push(sample(verified, reading));
      }
    }
    const last = await service.memory();
    return {
      cache_max_size: cacheMaxSize,
      distinct_images: images.length,
      passes,
      images_verified: total,
      images_per_request: imagesPerRequest,
      cache_size_after: last.cacheSize,
      cache_bounded: last.cacheSize <= cacheMaxSize,
      heap_used_mb_start: mb(first.heapUsedBytes),
      heap_used_mb_at_max: mb((atMax ?? last).heapUsedBytes),
      heap_used_mb_end: mb(last.heapUsedBytes),
      rss_mb_start: mb(first.rssBytes),
      rss_mb_end: mb(last.rssBytes),
      samples,
    };
  } finally {
    await client.close();
    await service.close();
  }
}
