// The /checkimages contract, byte for byte: statuses, plain-text reasons, headers, for every documented case.
import { createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { startService, type RunningService, type TokenReviewer } from '../../src/service/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, post, type TrustConfigDir } from './harness.js';

/** A registry double that accepts connections and never answers: every request to it hangs. */
async function startSilentRegistryDouble(): Promise<{ host: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const TOKEN_OK = 'tok-kyverno-SECRET-0001';
const TOKEN_STRANGER = 'tok-stranger-SECRET-0002';
const TOKEN_UNKNOWN = 'tok-unknown-SECRET-0003';
const TOKEN_BOOM = 'tok-boom-SECRET-0004';

/** Stands in for the Kubernetes TokenReview API (the injected boundary Kubernetes mode will implement). */
const reviewer: TokenReviewer = async (token) => {
  if (token === TOKEN_BOOM) throw new Error('the API server is unreachable');
  if (token === TOKEN_OK) return { authenticated: true, username: 'system:serviceaccount:kyverno:kyverno-admission-controller' };
  if (token === TOKEN_STRANGER) return { authenticated: true, username: 'system:serviceaccount:default:someone' };
  return { authenticated: false };
};

let config: TrustConfigDir;
let silent: Awaited<ReturnType<typeof startSilentRegistryDouble>>;
let plain: RunningService;
let reviewed: RunningService;
const logLines: string[] = [];

const REQUEST_TIMEOUT_MS = 700;

beforeAll(async () => {
  [config, silent] = await Promise.all([createTrustConfigDir('tp-a', E2E_CERT_PEM), startSilentRegistryDouble()]);
  const common = { tls: { enabled: false }, listen: { api: '127.0.0.1:0', metrics: '0', health: '0' } } as const;
  plain = await startService({
    ...common,
    config: { dir: config.dir, defaultTrustPolicy: 'tp-a' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxRequestBytes: 4096, maxImagesPerRequest: 3 },
    logLevel: 'silent',
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  reviewed = await startService({ ...common, config: { dir: config.dir }, auth: { reviewKyvernoToken: true, tokenReviewer: reviewer }, logger: pino({ level: 'debug' }, sink) });
});

afterAll(async () => {
  await Promise.all([plain?.close(), reviewed?.close()]);
  await silent?.close();
  await config?.remove();
});

const noImagesMatched = { images: { containers: { c: kyvernoContainer('ghcr.io', 'org/app', 'v1') } }, imageReferences: ['nothing/matches/*'] };

function expectGoError(answer: { status: number; headers: Headers; text: string }, status: number, text: string): void {
  expect({ status: answer.status, text: answer.text }).toEqual({ status, text: `${text}\n` });
  expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
  expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength(`${text}\n`)));
}

describe('request errors (plain service)', () => {
  const url = () => `${plain.url}/checkimages`;

  test.each(['GET', 'PUT', 'DELETE', 'PATCH'])('%s → 405 Method Not Allowed', async (method) => {
    const res = await fetch(url(), { method });
    expectGoError({ status: res.status, headers: res.headers, text: await res.text() }, 405, 'Method Not Allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });

  const cases: { name: string; body: string; status: number; text: string | RegExp }[] = [
    { name: 'empty body', body: '', status: 406, text: 'unexpected end of JSON input: the request body is empty; send Kyverno\'s {"images": ...} JSON' },
    { name: 'truncated JSON', body: '{"images": {"containers":', status: 406, text: /^failed to decode the request body as JSON: / },
    { name: 'not JSON at all', body: 'images=nginx', status: 406, text: /^failed to decode the request body as JSON: / },
    { name: 'no images', body: '{}', status: 406, text: "missing required parameter 'images'" },
    { name: 'empty image maps', body: '{"images":{"containers":{},"initContainers":{},"ephemeralContainers":{}}}', status: 406, text: "missing required parameter 'images'" },
    { name: 'images of the wrong type', body: '{"images":[]}', status: 406, text: 'invalid request: images: Invalid input: expected object, received array' },
    {
      name: 'too many images',
      body: JSON.stringify({ images: { containers: Object.fromEntries(['a', 'b', 'c', 'd'].map((n) => [n, kyvernoContainer('ghcr.io', 'org/app', 'v1')])) } }),
      status: 406,
      text: 'too many images: the request holds 4, the limit is 3 (--maxImagesPerRequest)',
    },
    {
      name: 'oversized body',
      body: JSON.stringify({ images: { containers: { c: kyvernoContainer('ghcr.io', 'org/app', 'v1') } }, padding: 'x'.repeat(5000) }),
      status: 413,
      text: 'request body is larger than the limit of 4096 bytes',
    },
    {
      name: 'unknown trust policy',
      body: JSON.stringify({ ...noImagesMatched, trustPolicy: 'tp-other' }),
      status: 406,
      text: 'no trust policy found for trust policy tp-other: no TrustPolicy resource has spec.trustPolicyName "tp-other" (loaded: tp-a)',
    },
  ];
  test('control characters of an image in the 406 reason are escaped: one line, nothing injected into Kyverno\'s message', async () => {
    const image = { ...kyvernoContainer('ghcr.io', 'org/app', 'v1'), path: 'org/app\nverified: true\r\u0000' };
    const answer = await post(url(), { images: { containers: { 'c\nx': image } } });
    expect(answer.status).toBe(406);
    expect(answer.text.indexOf('\n')).toBe(answer.text.length - 1);
    expect(answer.text).toMatch(/^failed to verify container c\\nx: failed to verify image \{\{ghcr\.io app org\/app\\nverified: true\\r\\u0000 v1 \} /);
  });

  test.each(cases)('$name → $status', async ({ body, status, text }) => {
    const answer = await post(url(), body);
    if (typeof text === 'string') expectGoError(answer, status, text);
    else {
      expect(answer.status).toBe(status);
      expect(answer.text).toMatch(text);
      expect(answer.text.endsWith('\n')).toBe(true);
    }
  });

  test('any content type is read as JSON (curl -d sends form-urlencoded)', async () => {
    const answer = await post(url(), JSON.stringify(noImagesMatched), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(
      goIndented({ verified: true, message: 'verified 0 images with trust policy tp-a; 1 not matched by imageReferences and not verified', results: [], digests: {} }),
    );
  });

  test('other paths → 404 as Go\'s ServeMux', async () => {
    const res = await fetch(`${plain.url}/`, { method: 'POST', body: '{}' });
    expectGoError({ status: res.status, headers: res.headers, text: await res.text() }, 404, '404 page not found');
  });

  test('the request deadline → 406 naming the timeout, never a pass', async () => {
    const started = Date.now();
    const answer = await post(url(), { images: { containers: { c: { registry: silent.host, path: 'app', name: 'app', tag: 'v1' } } } });
    expectGoError(
      answer,
      406,
      `failed to verify container c: failed to verify image {{${silent.host} app app v1 } }: verification did not finish within the request timeout of 0.7s; the image was not verified (check the registry's latency, or raise --requestTimeout)`,
    );
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
  });
});

describe('token review (peer header handling; the review itself is Kubernetes)', () => {
  const url = () => `${reviewed.url}/checkimages`;
  const withAuth = (authorization: string | undefined, body: unknown = { ...noImagesMatched, trustPolicy: 'tp-a' }) =>
    post(url(), body, { headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) } });

  test('the method is checked first: GET without a token → 405', async () => {
    const res = await fetch(url());
    expect(res.status).toBe(405);
  });

  test.each([
    { name: 'no Authorization header', authorization: undefined, status: 401, text: 'Authorization header not supplied' },
    { name: 'not a bearer token', authorization: 'Basic YWxpY2U6c2VjcmV0', status: 406, text: 'Token is not authorized' },
    { name: 'Bearer without a token', authorization: 'Bearer', status: 406, text: 'Token is not authorized' },
    { name: 'Bearer and blanks', authorization: 'Bearer    ', status: 406, text: 'Token is not authorized' },
    { name: 'token not authenticated', authorization: `Bearer ${TOKEN_UNKNOWN}`, status: 406, text: 'Token is not authorized' },
    { name: 'user not allowed', authorization: `Bearer ${TOKEN_STRANGER}`, status: 406, text: 'Token is not authorized' },
    { name: 'review failed', authorization: `Bearer ${TOKEN_BOOM}`, status: 406, text: 'failed to review the bearer token: the API server is unreachable' },
  ])('$name → $status', async ({ authorization, status, text }) => {
    expectGoError(await withAuth(authorization), status, text);
  });

  test("Kyverno's token → the request is served", async () => {
    const answer = await withAuth(`Bearer ${TOKEN_OK}`);
    expect(answer.status).toBe(200);
  });

  test('no trust policy in the request and no DEFAULT_TRUST_POLICY → 406 that says how to fix it', async () => {
    expectGoError(
      await withAuth(`Bearer ${TOKEN_OK}`, noImagesMatched),
      406,
      'no trust policy specified, please specify a trust policy in request or set DEFAULT_TRUST_POLICY env',
    );
  });

  test('tokens never reach the logs', () => {
    const logs = logLines.join('');
    expect(logs).toContain('"msg":"checkimages"');
    for (const token of [TOKEN_OK, TOKEN_STRANGER, TOKEN_UNKNOWN, TOKEN_BOOM]) expect(logs).not.toContain(token);
  });
});

describe('startup', () => {
  test('--reviewKyvernoToken=true without Kubernetes is a startup error that says what to do', async () => {
    await expect(startService({ config: { dir: config.dir }, auth: { reviewKyvernoToken: true }, logLevel: 'silent' })).rejects.toMatchObject({
      code: 'KUBERNETES_REQUIRED',
      message:
        '--reviewKyvernoToken=true needs the Kubernetes TokenReview API, which file mode (--config-dir) does not have; run with --reviewKyvernoToken=false, or in Kubernetes mode',
    });
  });

  test('a missing config dir is a startup error and nothing stays bound', async () => {
    await expect(
      startService({ config: { dir: `${config.dir}/missing` }, tls: { enabled: false }, listen: { api: '127.0.0.1:0', metrics: '0', health: '0' }, logLevel: 'silent' }),
    ).rejects.toMatchObject({ code: 'CONFIG_DIR_UNREADABLE' });
  });

  test('graceful shutdown: an in-flight request still gets its answer', async () => {
    const service = await startService({
      config: { dir: config.dir, defaultTrustPolicy: 'tp-a' },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '127.0.0.1:0' },
      limits: { requestTimeoutMs: 400 },
      logLevel: 'silent',
    });
    const inFlight = post(`${service.url}/checkimages`, { images: { containers: { c: { registry: silent.host, path: 'app', name: 'app', tag: 'v1' } } } });
    await new Promise((r) => setTimeout(r, 100));
    const closed = service.close();
    const answer = await inFlight;
    expect(answer.status).toBe(406);
    expect(answer.text).toContain('verification did not finish within the request timeout of 0.4s');
    await closed;
    await expect(fetch(`${service.url}/checkimages`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
