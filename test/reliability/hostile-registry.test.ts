// Hostile registries (issue 14): faults injected between the service and a real docker-registry; every one fails closed, on time, alone.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, post, startSignedRegistry, type HttpAnswer, type SignedRegistry, type TrustConfigDir } from '../service/harness.js';
import { FaultProxy, type FaultRule } from '../support/fault-proxy.js';
import { waitFor } from '../support/ports.js';
import { bracketed, deadlineBound, notHeldUp } from '../support/timing.js';

const REQUEST_TIMEOUT_MS = 3000;
/** One byte of a dripping answer this often: far below any idle timeout, so only the deadline ends it. */
const DRIP_INTERVAL_MS = 200;

let signed: SignedRegistry;
let config: TrustConfigDir;
let service: RunningService;
let proxy: FaultProxy;
/** Digests whose signatures verify: the only ones a 200 may pin. */
const signedDigests = new Set<string>();
const digests: Record<string, string> = {};
/** The signature envelope blob of each signed `repository:v1`. */
const envelopes: Record<string, string> = {};
/** Connections refused by a closed proxy (the proxy cannot count what never reaches it). */
let refusedScenarios = 0;
const probeLatencies: number[] = [];
/** Each case's baseline: the probe's median latency just before and just after the fault, the larger (test/support/timing.ts). */
const baselines: number[] = [];
/** The least room any timing bound had left (bound − measured), ms. */
let headroomMinMs = Infinity;

/** Push `repository:tag` (distinct content per image) and sign it unless told not to. */
async function image(repository: string, tag: string, sign = true): Promise<string> {
  const digest = (await signed.push(repository, tag, `${repository}:${tag} of the hostile registry suite`)).digest;
  if (sign) {
    await signed.sign(repository, digest);
    signedDigests.add(digest);
    const store = signed.client.repository(signed.registry.host, repository);
    const [signature] = await store.referrers({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 0 });
    const { manifest } = await store.fetchManifest(signature!);
    if (tag === 'v1' && 'layers' in manifest) envelopes[repository] = manifest.layers[0]?.digest ?? '';
  }
  digests[`${repository}:${tag}`] = digest;
  return digest;
}

beforeAll(async () => {
  signed = await startSignedRegistry();
  config = await createTrustConfigDir('tp-hostile', signed.chain.root.pem);
  for (const repository of ['probe', 'dropped', 'reset', 'truncate', 'drip', 'stall', 'throttled', 'unavailable', 'flaky', 'lying-head', 'lying-get', 'refused']) {
    await image(`rel/${repository}`, 'v1');
  }
  await image('rel/disagree', 'signed');
  await image('rel/disagree', 'unsigned', false);
  proxy = await FaultProxy.start(signed.registry.url);
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-hostile' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    // Every request verifies in full: the probe measures a whole verification, and no fault's verdict is reused.
    cache: { enabled: false },
    logLevel: 'silent',
    processMetrics: false,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  // The service let go of every connection it had to the registry.
  if (proxy) await waitFor(async () => proxy.openConnections === 0, 2_000, 'the service to close its connections to the proxy');
  await proxy?.close();
  await signed?.stop();
  await config?.remove();
  const injected = { ...proxy?.injected, refused: refusedScenarios };
  console.log(
    JSON.stringify({
      suite: 'hostile-registry',
      injected,
      total: Object.values(injected).reduce((sum, n) => sum + n, 0),
      probes: probeLatencies.length,
      probeMaxMs: Math.round(Math.max(0, ...probeLatencies)),
      baselineMaxMs: Math.round(Math.max(0, ...baselines)),
      headroomMinMs: Math.round(headroomMinMs),
    }),
  );
});

const checkimages = (host: string, repository: string, tag = 'v1') => post(`${service.url}/checkimages`, { images: { containers: { app: kyvernoContainer(host, repository, tag) } } });

/** The 200 the service owes a verified image. */
function verifiedAnswer(host: string, repository: string, tag: string, digest: string): string {
  return goIndented({
    verified: true,
    message: 'verified 1 image with trust policy tp-hostile',
    results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${host}/${repository}@${digest}` }],
    digests: { [`${host}/${repository}:${tag}`]: digest },
  });
}

/** The 406 prefix naming the container and image, as the peer writes it. */
function refusal(host: string, repository: string, tag = 'v1'): string {
  const name = repository.split('/').pop() ?? repository;
  return `failed to verify container app: failed to verify image {{${host} ${name} ${repository} ${tag} } /spec/containers/0/image}: `;
}

/** Never a 200 pinning a digest whose signature was not verified. */
function expectOnlyVerifiedPins(answer: HttpAnswer): void {
  if (answer.status !== 200) return;
  const body = JSON.parse(answer.text) as { results: Array<{ value: string }> };
  for (const { value } of body.results) expect(signedDigests).toContain(value.slice(value.indexOf('@') + 1));
}

/** The healthy image straight from the registry, timed. */
async function probe(): Promise<number> {
  const started = performance.now();
  const answer = await checkimages(signed.registry.host, 'rel/probe');
  const latency = performance.now() - started;
  expect(answer.status).toBe(200);
  expect(answer.text).toBe(verifiedAnswer(signed.registry.host, 'rel/probe', 'v1', digests['rel/probe:v1'] ?? ''));
  probeLatencies.push(latency);
  return latency;
}

/** `during` between two baselines of the probe: what the case's bounds are multiples of. */
async function withBaseline<T>(during: () => Promise<T>): Promise<{ outcome: T; baselineMs: number }> {
  const measured = await bracketed(probe, during);
  baselines.push(measured.baselineMs);
  return measured;
}

interface Outcome {
  answer: HttpAnswer;
  elapsed: number;
  probeLatency: number;
  /** Whether the probe was answered before the faulty request. */
  probeFirst: boolean;
}

/** Send the faulty request; once the fault has been injected, probe the healthy image alongside it. */
async function underFault(host: string, repository: string, injected: Promise<void>, tag = 'v1'): Promise<Outcome> {
  const started = performance.now();
  const answered = checkimages(host, repository, tag).then((answer) => ({ answer, elapsed: performance.now() - started, at: performance.now() }));
  await Promise.race([injected, answered]);
  const probed = probe().then((latency) => ({ latency, at: performance.now() }));
  const [{ answer, elapsed, at }, { latency, at: probedAt }] = await Promise.all([answered, probed]);
  return { answer, elapsed, probeLatency: latency, probeFirst: probedAt < at };
}

/** Nothing of the faulty request is left running (no verification flight, no exchange at the proxy) soon after its answer. */
async function expectNothingInFlight(baselineMs: number): Promise<void> {
  await waitFor(async () => service.cache.inFlight === 0 && proxy.openExchanges === 0, notHeldUp(baselineMs), 'the faulty request to let go of everything');
}

/**
 * A fault the client notices at once is answered as fast as a request that is not held up (plus what the case is
 * known to wait: backoff, Retry-After); a fault only the deadline ends, at the deadline. The probe alongside is
 * not held up by the fault, and is answered before a request that waits for the deadline.
 */
function expectOnTime({ elapsed, probeLatency, probeFirst }: Outcome, within: 'fast' | 'deadline', baselineMs: number, waitsMs = 0): void {
  const bound = within === 'deadline' ? deadlineBound(REQUEST_TIMEOUT_MS, baselineMs) : notHeldUp(baselineMs, waitsMs);
  headroomMinMs = Math.min(headroomMinMs, bound - elapsed, notHeldUp(baselineMs) - probeLatency);
  if (within === 'deadline') {
    expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(probeFirst).toBe(true);
  }
  expect(elapsed).toBeLessThan(bound);
  expect(probeLatency).toBeLessThan(notHeldUp(baselineMs));
}

/** A signature envelope whose answer broke off: the network failure, never a verdict on partial bytes. */
function envelopeCutOff(host: string, repository: string): string {
  return `integrity validation failed. Failure reason: blob ${host}/${repository}@${envelopes[repository]}: UND_ERR_SOCKET: other side closed; check the registry address and that it is up (REGISTRY_UNAVAILABLE)\n`;
}

function unsigned(host: string, repository: string, digest: string): string {
  return `no signature is associated with "${host}/${repository}@${digest}", make sure the artifact was signed successfully\n`;
}

const timedOut = `verification did not finish within the request timeout of 3s; the image was not verified (check the registry's latency, or raise --requestTimeout)\n`;

interface FaultCase {
  name: string;
  repository: string;
  rules: (repository: string) => FaultRule[];
  status: 200 | 406;
  /** The exact answer, from the proxy's host and the test's digests. */
  text: (host: string, repository: string) => string;
  /** The tag asked for (default v1). */
  tag?: string;
  within: 'fast' | 'deadline';
  /** What a fast case is known to wait besides its work (backoff, Retry-After), in ms at most. */
  waitsMs?: number;
  /** Requests each rule applied to (retries included); by default each applied at least once. */
  hits?: number[];
}

/** A well-formed digest of content no registry here holds. */
const FOREIGN_DIGEST = `sha256:${createHash('sha256').update('content nobody signed').digest('hex')}`;

const manifestOf = (repository: string, tag = 'v1') => new RegExp(`^/v2/${repository}/manifests/${tag}$`);
const blobsOf = (repository: string) => new RegExp(`^/v2/${repository}/blobs/sha256:`);
const referrersOf = (repository: string) => new RegExp(`^/v2/${repository}/referrers/`);
/** The referrers tag schema's index (`sha256-<hex>`): docker-registry serves no Referrers API, and the client remembers that per registry after its first probe. */
const referrersTagOf = (repository: string) => new RegExp(`^/v2/${repository}/manifests/sha256-`);

const FAULTS: FaultCase[] = [
  {
    name: 'reset before any answer, once (the referrers index): retried, then verified',
    repository: 'rel/dropped',
    rules: (repository) => [{ method: 'GET', path: referrersOf(repository), fault: { kind: 'drop' }, times: 1 }],
    status: 200,
    text: (host, repository) => verifiedAnswer(host, repository, 'v1', digests[`${repository}:v1`] ?? ''),
    // One retry after 200..400 ms of backoff.
    within: 'fast',
    waitsMs: 400,
    hits: [1],
  },
  {
    name: 'reset mid-body (the signature envelope)',
    repository: 'rel/reset',
    rules: (repository) => [{ method: 'GET', path: blobsOf(repository), fault: { kind: 'reset' } }],
    status: 406,
    text: (host, repository) => `${refusal(host, repository)}${envelopeCutOff(host, repository)}`,
    within: 'fast',
  },
  {
    name: 'truncated body with the full Content-Length (the signature envelope)',
    repository: 'rel/truncate',
    rules: (repository) => [{ method: 'GET', path: blobsOf(repository), fault: { kind: 'truncate' } }],
    status: 406,
    text: (host, repository) => `${refusal(host, repository)}${envelopeCutOff(host, repository)}`,
    within: 'fast',
  },
  {
    name: `slow drip, a byte every ${DRIP_INTERVAL_MS} ms (the referrers tag index)`,
    repository: 'rel/drip',
    rules: (repository) => [{ method: 'GET', path: referrersTagOf(repository), fault: { kind: 'drip', intervalMs: DRIP_INTERVAL_MS } }],
    status: 406,
    text: (host, repository) => `${refusal(host, repository)}${timedOut}`,
    within: 'deadline',
  },
  {
    name: 'no answer at all (the tag)',
    repository: 'rel/stall',
    rules: (repository) => [{ method: 'HEAD', path: manifestOf(repository), fault: { kind: 'stall' } }],
    status: 406,
    text: (host, repository) => `${refusal(host, repository)}${timedOut}`,
    within: 'deadline',
  },
  {
    name: '429 with Retry-After: 120, longer than the client waits (the tag)',
    repository: 'rel/throttled',
    rules: (repository) => [{ method: 'HEAD', path: manifestOf(repository), fault: { kind: 'status', status: 429, retryAfter: '120' } }],
    status: 406,
    text: (host, repository) =>
      `${refusal(host, repository)}failed to resolve digest: resolve ${host}/${repository}:v1: the server answered 429 and asks to retry after 120 s, longer than the 10 s we wait; try again later\n`,
    within: 'fast',
    hits: [1],
  },
  {
    name: '503 with Retry-After: 0 on every attempt (the tag): retries run out',
    repository: 'rel/unavailable',
    rules: (repository) => [{ method: 'HEAD', path: manifestOf(repository), fault: { kind: 'status', status: 503, retryAfter: '0' } }],
    status: 406,
    text: (host, repository) => `${refusal(host, repository)}failed to resolve digest: resolve ${host}/${repository}:v1: ${host} answered HTTP 503; try again later\n`,
    within: 'fast',
    hits: [4],
  },
  {
    name: '503 with Retry-After: 1 once (the tag): waited for, then verified',
    repository: 'rel/flaky',
    rules: (repository) => [{ method: 'HEAD', path: manifestOf(repository), fault: { kind: 'status', status: 503, retryAfter: '1' }, times: 1 }],
    status: 200,
    text: (host, repository) => verifiedAnswer(host, repository, 'v1', digests[`${repository}:v1`] ?? ''),
    within: 'fast',
    waitsMs: 1000,
    hits: [1],
  },
  {
    name: 'wrong Docker-Content-Digest on the HEAD of the tag (a digest nothing signed)',
    repository: 'rel/lying-head',
    rules: (repository) => [{ method: 'HEAD', path: manifestOf(repository), fault: { kind: 'digest', digest: FOREIGN_DIGEST } }],
    status: 406,
    // The tag resolves to what HEAD said; that digest is what gets verified, and nothing signed it.
    text: (host, repository) => `${refusal(host, repository)}${unsigned(host, repository, FOREIGN_DIGEST)}`,
    within: 'fast',
  },
  {
    name: 'wrong Docker-Content-Digest on the GET of the tag (HEAD gave none)',
    repository: 'rel/lying-get',
    rules: (repository) => [
      { method: 'HEAD', path: manifestOf(repository), fault: { kind: 'digest', digest: undefined } },
      { method: 'GET', path: manifestOf(repository), fault: { kind: 'digest', digest: FOREIGN_DIGEST } },
    ],
    status: 406,
    text: (host, repository) =>
      `${refusal(host, repository)}failed to resolve digest: manifest ${host}/${repository}:v1: content hashes to ${digests[`${repository}:v1`]} but the registry says ${FOREIGN_DIGEST}; do not use it\n`,
    within: 'fast',
  },
  {
    name: 'HEAD and GET of a tag disagree: HEAD names the unsigned image, GET serves the signed one',
    repository: 'rel/disagree',
    tag: 'moving',
    rules: (repository) => [
      { method: 'HEAD', path: manifestOf(repository, 'moving'), fault: { kind: 'substitute', path: `/v2/${repository}/manifests/${digests[`${repository}:unsigned`]}` } },
      { method: 'GET', path: manifestOf(repository, 'moving'), fault: { kind: 'substitute', path: `/v2/${repository}/manifests/${digests[`${repository}:signed`]}` } },
    ],
    status: 406,
    text: (host, repository) => `${refusal(host, repository, 'moving')}${unsigned(host, repository, digests[`${repository}:unsigned`] ?? '')}`,
    within: 'fast',
    // The digest HEAD names is the one verified and pinned; nothing is fetched by tag.
    hits: [1, 0],
  },
  {
    name: 'HEAD and GET of a tag disagree: HEAD names the signed image, GET serves the unsigned one',
    repository: 'rel/disagree',
    tag: 'moving-back',
    rules: (repository) => [
      { method: 'HEAD', path: manifestOf(repository, 'moving-back'), fault: { kind: 'substitute', path: `/v2/${repository}/manifests/${digests[`${repository}:signed`]}` } },
      { method: 'GET', path: manifestOf(repository, 'moving-back'), fault: { kind: 'substitute', path: `/v2/${repository}/manifests/${digests[`${repository}:unsigned`]}` } },
    ],
    status: 200,
    // The patch pins the verified digest: the runtime pulls that content by digest, whatever the tag serves.
    text: (host, repository) => verifiedAnswer(host, repository, 'moving-back', digests[`${repository}:signed`] ?? ''),
    within: 'fast',
    hits: [1, 0],
  },
];

describe('a faulty registry gets a stable refusal on time; the healthy probe is served meanwhile; nothing is left running', () => {
  test.each(FAULTS)('$name', async ({ repository, tag, rules, status, text, within, waitsMs, hits }) => {
    proxy.clearRules();
    const {
      outcome: { applied, outcome },
      baselineMs,
    } = await withBaseline(async () => {
      const applied = rules(repository).map((rule) => proxy.add(rule));
      return { applied, outcome: await underFault(proxy.host, repository, applied[0]!.firstHit, tag) };
    });
    const { answer } = outcome;
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: text(proxy.host, repository) });
    expectOnlyVerifiedPins(answer);
    expectOnTime(outcome, within, baselineMs, waitsMs);
    if (hits === undefined) for (const rule of applied) expect(rule.hits).toBeGreaterThan(0);
    else expect(applied.map((rule) => rule.hits)).toEqual(hits);
    await expectNothingInFlight(baselineMs);
    proxy.clearRules();
  }, 15_000);
});

test('connection refused (the proxy closed): a stable refusal once the retries run out; the probe is served meanwhile', async () => {
  const closed = await FaultProxy.start(signed.registry.url);
  const host = closed.host;
  await closed.close();
  refusedScenarios += 1;
  const { outcome, baselineMs } = await withBaseline(() => underFault(host, 'rel/refused', Promise.resolve()));
  const { answer, elapsed } = outcome;
  expect({ status: answer.status, text: answer.text }).toEqual({
    status: 406,
    text: `${refusal(host, 'rel/refused')}failed to resolve digest: resolve ${host}/rel/refused:v1: ECONNREFUSED: connect ECONNREFUSED ${host}; check the registry address and that it is up\n`,
  });
  // Three retries with backoff (200, 400, 800 ms plus up to 200 ms of jitter each), then the answer.
  expect(elapsed).toBeGreaterThanOrEqual(1400);
  expectOnTime(outcome, 'fast', baselineMs, 2000);
  await expectNothingInFlight(baselineMs);
}, 15_000);
