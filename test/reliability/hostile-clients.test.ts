// Hostile callers of /checkimages (issue 14): slowloris headers and bodies, floods beyond --maxConcurrentRequests, malformed and huge bearer headers.
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import type { TokenReviewStatus } from '../../src/service/token-review.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, type HttpAnswer, type SignedRegistry, type TrustConfigDir, startSignedRegistry } from '../service/harness.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { waitFor } from '../support/ports.js';
import { dripRequest, statusLine } from '../support/slow-client.js';
import { bracketed, deadlineBound, notHeldUp } from '../support/timing.js';

const REQUEST_TIMEOUT_MS = 2500;
const MAX_CONCURRENT = 4;
const READ_HEADER_TIMEOUT_MS = 500;
const READ_TIMEOUT_MS = 1000;
/** Node looks for late connections this often (a quarter of READ_HEADER_TIMEOUT_MS, src/service/app.ts). */
const CHECK_EVERY_MS = READ_HEADER_TIMEOUT_MS / 4;

/** The caller's token the reviewer double accepts; it must never show up in any output. */
const GOOD_TOKEN = 'kyverno-sa-token-0123456789-secret';
const ALLOWED_USER = 'system:serviceaccount:kyverno:kyverno-admission-controller';

let signed: SignedRegistry;
let config: TrustConfigDir;
let proxy: FaultProxy;
let service: RunningService;
let apiPort: number;
let probeDigest: string;
/** Every log line the service wrote (debug level: the most it ever says). */
const logLines: string[] = [];
/** Tokens the TokenReview double was asked about. */
const reviewed: string[] = [];
const tally = { slowHeaders: 0, slowBodies: 0, shed: 0, bearerHeaders: 0, baselineMaxMs: 0, headroomMinMs: Infinity };

/** A double of Kubernetes' TokenReview as the service's reviewer sees it: one token authenticates as Kyverno. */
async function tokenReviewDouble(token: string): Promise<TokenReviewStatus> {
  reviewed.push(token);
  return token === GOOD_TOKEN ? { authenticated: true, username: ALLOWED_USER } : { authenticated: false };
}

beforeAll(async () => {
  signed = await startSignedRegistry();
  config = await createTrustConfigDir('tp-clients', signed.chain.root.pem);
  probeDigest = (await signed.push('rel/probe', 'v1', 'the probe of the hostile client suite')).digest;
  await signed.sign('rel/probe', probeDigest);
  await signed.push('rel/stalled', 'v1', 'an image whose registry never answers');
  proxy = await FaultProxy.start(signed.registry.url);
  proxy.add({ method: 'HEAD', path: /^\/v2\/rel\/stalled\/manifests\//, fault: { kind: 'stall' } });
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-clients' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxConcurrentRequests: MAX_CONCURRENT, readHeaderTimeoutMs: READ_HEADER_TIMEOUT_MS, readTimeoutMs: READ_TIMEOUT_MS },
    cache: { enabled: false },
    auth: { reviewKyvernoToken: true, tokenReviewer: tokenReviewDouble, allowedUsers: [ALLOWED_USER] },
    logger: pino({ level: 'debug' }, capture),
    processMetrics: false,
  });
  apiPort = Number(new URL(service.url).port);
}, 60_000);

afterAll(async () => {
  await service?.close();
  await proxy?.close();
  await signed?.stop();
  await config?.remove();
  console.log(JSON.stringify({ suite: 'hostile-clients', ...tally, baselineMaxMs: Math.round(tally.baselineMaxMs), headroomMinMs: Math.round(tally.headroomMinMs) }));
});

async function checkimages(repository: string, host = signed.registry.host, authorization = `Bearer ${GOOD_TOKEN}`): Promise<HttpAnswer & { elapsed: number }> {
  const started = performance.now();
  const res = await fetch(`${service.url}/checkimages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ images: { containers: { app: kyvernoContainer(host, repository, 'v1') } } }),
  });
  return { status: res.status, headers: res.headers, text: await res.text(), elapsed: performance.now() - started };
}

async function probe(): Promise<number> {
  const answer = await checkimages('rel/probe');
  expect({ status: answer.status, text: answer.text }).toEqual({
    status: 200,
    text: goIndented({
      verified: true,
      message: 'verified 1 image with trust policy tp-clients',
      results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${signed.registry.host}/rel/probe@${probeDigest}` }],
      digests: { [`${signed.registry.host}/rel/probe:v1`]: probeDigest },
    }),
  });
  return answer.elapsed;
}

/** `during` between two baselines of the probe (each also shows the probe served): what the test's bounds are multiples of (test/support/timing.ts). */
async function withBaseline<T>(during: (beforeMs: number) => Promise<T>): Promise<{ outcome: T; baselineMs: number }> {
  const measured = await bracketed(probe, during);
  tally.baselineMaxMs = Math.max(tally.baselineMaxMs, measured.baselineMs);
  return measured;
}

/** `measured` stays under `bound`, and the room it left is kept for the suite line. */
function expectUnder(measured: number, bound: number): void {
  tally.headroomMinMs = Math.min(tally.headroomMinMs, bound - measured);
  expect(measured).toBeLessThan(bound);
}

const inFlightGauge = async () => (await service.metrics.requestsInFlight.get()).values[0]?.value ?? 0;

const timedOut = (host: string) =>
  `failed to verify container app: failed to verify image {{${host} stalled rel/stalled v1 } /spec/containers/0/image}: verification did not finish within the request timeout of 2.5s; the image was not verified (check the registry's latency, or raise --requestTimeout)\n`;

describe('slowloris: a caller that sends too slowly loses its connection on time; others are served meanwhile', () => {
  test(`headers a byte every 100 ms: 408 and closed after --readHeaderTimeout (${READ_HEADER_TIMEOUT_MS} ms)`, async () => {
    const {
      outcome: { outcome, probeLatency },
      baselineMs,
    } = await withBaseline(async () => {
      const slow = dripRequest('127.0.0.1', apiPort, {
        drip: `POST /checkimages HTTP/1.1\r\nHost: imgverify\r\nAuthorization: Bearer ${GOOD_TOKEN}\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`,
        intervalMs: 100,
        giveUpMs: 10_000,
      });
      const probeLatency = await probe();
      return { outcome: await slow, probeLatency };
    });
    tally.slowHeaders += 1;
    expect(statusLine(outcome.received)).toBe('HTTP/1.1 408 Request Timeout');
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(READ_HEADER_TIMEOUT_MS - 50);
    expectUnder(outcome.closedAfterMs, deadlineBound(READ_HEADER_TIMEOUT_MS + CHECK_EVERY_MS, baselineMs));
    expectUnder(probeLatency, notHeldUp(baselineMs));
    expect(reviewed).not.toContain('');
  });

  test(`headers on time, the body a byte every 100 ms: 408 and closed after --readTimeout (${READ_TIMEOUT_MS} ms), never verified`, async () => {
    const body = JSON.stringify({ images: { containers: { app: kyvernoContainer(signed.registry.host, 'rel/probe', 'v1') } } });
    let before = 0;
    let after = 0;
    const { outcome, baselineMs } = await withBaseline(async () => {
      before = reviewed.length;
      const outcome = await dripRequest('127.0.0.1', apiPort, {
        head: `POST /checkimages HTTP/1.1\r\nHost: imgverify\r\nAuthorization: Bearer ${GOOD_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        drip: body,
        intervalMs: 100,
        giveUpMs: 10_000,
      });
      after = reviewed.length;
      return outcome;
    });
    tally.slowBodies += 1;
    expect(statusLine(outcome.received)).toBe('HTTP/1.1 408 Request Timeout');
    expect(outcome.sent).toBeLessThan(body.length);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
    expectUnder(outcome.closedAfterMs, deadlineBound(READ_TIMEOUT_MS + CHECK_EVERY_MS, baselineMs));
    // The handler never ran: no token review, no verification.
    expect(after).toBe(before);
  });

  test('a verification that takes longer than --readTimeout is not cut by it: the request deadline answers', async () => {
    const answer = await checkimages('rel/stalled', proxy.host);
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 406, text: timedOut(proxy.host) });
    expect(answer.elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  });
});

test(`a flood beyond --maxConcurrentRequests (${MAX_CONCURRENT}) is shed at once with 503 and Retry-After; the held requests finish; then all is served again`, async () => {
  // The baseline after is taken once the slots are free again: its probes show that all is served again.
  const { outcome: flood, baselineMs } = await withBaseline(async (beforeMs) => {
    const held = Array.from({ length: MAX_CONCURRENT }, () => checkimages('rel/stalled', proxy.host));
    // Before their deadline frees the slots again.
    await waitFor(async () => (await inFlightGauge()) === MAX_CONCURRENT, REQUEST_TIMEOUT_MS, 'the stalled requests to hold every slot');
    const flood = await Promise.all(Array.from({ length: 40 }, () => checkimages('rel/probe')));
    // Answered while the held requests still hold every slot.
    expect(await inFlightGauge()).toBe(MAX_CONCURRENT);
    for (const answer of await Promise.all(held)) expect({ status: answer.status, text: answer.text }).toEqual({ status: 406, text: timedOut(proxy.host) });
    await waitFor(async () => (await inFlightGauge()) === 0, notHeldUp(beforeMs), 'the slots to be released');
    return flood;
  });
  tally.shed += flood.length;
  for (const answer of flood) {
    expect({ status: answer.status, text: answer.text, retryAfter: answer.headers.get('retry-after'), connection: answer.headers.get('connection') }).toEqual({
      status: 503,
      text: `the service is busy: ${MAX_CONCURRENT} requests are being verified, the limit of --maxConcurrentRequests; the request was not verified, retry after 1 s\n`,
      retryAfter: '1',
      connection: 'close',
    });
    // At once: no slower than a verification that waits for nothing (a shed that waited for a slot would wait for the held requests' deadline).
    expectUnder(answer.elapsed, notHeldUp(baselineMs));
  }
  const shed = (await service.metrics.requests.get()).values.find((v) => v.labels.status === '503')?.value;
  expect(shed).toBe(40);
}, 15_000);

describe('bearer headers: malformed or huge ones are refused before any review; no token is ever written out', () => {
  const REFUSED = 'Token is not authorized\n';
  test.each([
    ['no token after Bearer', 'Bearer', 406, REFUSED],
    ['another scheme', `Basic ${Buffer.from('kyverno:hunter2').toString('base64')}`, 406, REFUSED],
    ['two tokens', `Bearer ${GOOD_TOKEN} ${GOOD_TOKEN}`, 406, REFUSED],
    ['an empty header', '', 401, 'Authorization header not supplied\n'],
  ])('%s', async (_name, authorization, status, text) => {
    const before = reviewed.length;
    const answer = await checkimages('rel/probe', signed.registry.host, authorization);
    tally.bearerHeaders += 1;
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text });
    expect(reviewed.length).toBe(before);
  });

  test('a 12 KiB token nobody issued: reviewed once, refused, and not echoed', async () => {
    const forged = `forged-${'x'.repeat(12 * 1024)}`;
    const answer = await checkimages('rel/probe', signed.registry.host, `Bearer ${forged}`);
    tally.bearerHeaders += 1;
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 406, text: REFUSED });
    expect(reviewed.at(-1)).toBe(forged);
  });

  test('headers over 16 KiB: 431 from the HTTP parser, before any handler', async () => {
    const before = reviewed.length;
    const answer = await checkimages('rel/probe', signed.registry.host, `Bearer ${'y'.repeat(20 * 1024)}`);
    tally.bearerHeaders += 1;
    expect(answer.status).toBe(431);
    expect(reviewed.length).toBe(before);
  });

  test('the service log holds no token, good or forged (debug level, every request of this file)', () => {
    expect(logLines.length).toBeGreaterThan(10);
    for (const line of logLines) {
      expect(line).not.toContain(GOOD_TOKEN);
      expect(line).not.toContain('xxxxxxxx');
      expect(line).not.toContain(Buffer.from('kyverno:hunter2').toString('base64'));
    }
  });
});
