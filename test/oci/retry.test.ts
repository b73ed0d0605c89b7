// Retries of idempotent requests on 429/5xx with backoff and Retry-After, bounded; cancellation.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OciError, pushImage, RegistryClient, type Descriptor } from '../../src/oci/index.js';
import { parseRetryAfter } from '../../src/oci/transport.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble } from '../support/http-double.js';

let double: ReferrersRegistryDouble;
let client: RegistryClient;
let image: Descriptor;

beforeAll(async () => {
  double = await startReferrersRegistryDouble();
  client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 2, baseDelayMs: 20, maxDelayMs: 2_000 } });
  image = (await pushImage(client.repository(double.host, 'app'), { tag: 'v1', layers: [new TextEncoder().encode('x')] })).descriptor;
});
afterAll(async () => {
  await client.close();
  await double.stop();
});

function requestsTo(path: string, from: number): Array<{ method: string; at: number }> {
  return double.requests.slice(from).filter((r) => r.path.includes(path));
}

test('429 with Retry-After: 1 is retried after a second and then succeeds', async () => {
  const from = double.requests.length;
  double.addFault({ method: 'GET', pathIncludes: '/manifests/v1', status: 429, retryAfter: '1' });
  const fetched = await client.repository(double.host, 'app').fetchManifest('v1');
  expect(fetched.descriptor.digest).toBe(image.digest);
  const attempts = requestsTo('/manifests/v1', from);
  expect(attempts).toHaveLength(2);
  expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
});

test.each([500, 502, 503, 504])('%i twice is retried with backoff and then succeeds', async (status) => {
  const from = double.requests.length;
  double.addFault({ method: 'HEAD', pathIncludes: '/manifests/v1', status, times: 2 });
  expect((await client.repository(double.host, 'app').resolve('v1')).digest).toBe(image.digest);
  expect(requestsTo('/manifests/v1', from)).toHaveLength(3);
});

test.each([
  { name: 'retries exhausted', fault: { status: 503, times: 3 }, attempts: 3, message: /answered HTTP 503/ },
  { name: 'Retry-After longer than the bound', fault: { status: 429, retryAfter: '120' }, attempts: 1, message: /retry after 120 s, longer than the 2 s/ },
  { name: 'a 400 is not retried', fault: { status: 400 }, attempts: 1, message: /HTTP 400/ },
])('$name → fails after $attempts attempt(s)', async ({ fault, attempts, message }) => {
  const from = double.requests.length;
  double.addFault({ method: 'GET', pathIncludes: '/manifests/v1', ...fault });
  const error = await rejectionOf(OciError, client.repository(double.host, 'app').fetchManifest('v1'));
  expect(error.code).toBe(fault.status === 400 ? 'REGISTRY_ERROR' : 'REGISTRY_UNAVAILABLE');
  expect(error.message).toMatch(message);
  expect(requestsTo('/manifests/v1', from)).toHaveLength(attempts);
});

test('a blob upload (POST) is not retried', async () => {
  const from = double.requests.length;
  double.addFault({ method: 'POST', pathIncludes: '/blobs/uploads/', status: 503 });
  const error = await rejectionOf(OciError, client.repository(double.host, 'app').pushBlob(new TextEncoder().encode('new blob'), 'application/octet-stream'));
  expect(error.code).toBe('REGISTRY_UNAVAILABLE');
  expect(requestsTo('/blobs/uploads/', from)).toHaveLength(1);
});

test.each([
  { name: 'an aborted signal', signal: () => AbortSignal.abort(), fault: false, code: 'ABORTED' },
  { name: 'AbortSignal.timeout while waiting out Retry-After', signal: () => AbortSignal.timeout(200), fault: true, code: 'TIMEOUT' },
])('$name → $code', async ({ signal, fault, code }) => {
  if (fault) double.addFault({ method: 'GET', pathIncludes: '/manifests/v1', status: 429, retryAfter: '1' });
  const started = Date.now();
  const error = await rejectionOf(OciError, client.repository(double.host, 'app').fetchManifest('v1', { signal: signal() }));
  expect(error.code).toBe(code);
  expect(Date.now() - started).toBeLessThan(900);
});

test.each([
  { value: '3', expected: 3000 },
  { value: 'Wed, 21 Oct 2015 07:28:10 GMT', now: Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'), expected: 10_000 },
  { value: 'soon', expected: undefined },
  { value: undefined, expected: undefined },
])('parseRetryAfter($value) = $expected', ({ value, now, expected }) => {
  expect(parseRetryAfter(value, now)).toBe(expected);
});

test.each([
  { name: 'no response headers', timeouts: { headersMs: 300 }, mode: 'silent' as const, message: /waiting for the response timed out/ },
  { name: 'a stalled body', timeouts: { bodyMs: 300 }, mode: 'stall-body' as const, message: /reading the response timed out/ },
])('$name → TIMEOUT', async ({ timeouts, mode, message }) => {
  const server = await listenHttpDouble((req, res) => {
    if (mode === 'stall-body') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100' });
      res.write(Buffer.alloc(10));
    }
    // Otherwise: say nothing, keep the connection open.
  });
  const host = `127.0.0.1:${server.port}`;
  const slow = new RegistryClient({ plainHttpForLocalhost: true, timeouts, retry: { maxRetries: 0 } });
  try {
    const started = Date.now();
    const error = await rejectionOf(OciError, slow.repository(host, 'app').fetchBlob({ mediaType: 'x', digest: 'sha256:' + 'a'.repeat(64), size: 100 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(message);
    expect(Date.now() - started).toBeLessThan(3000);
  } finally {
    await slow.close();
    await server.stop();
  }
});

test.each([
  { name: 'MANIFEST_BLOB_UNKNOWN (a concurrent upload of a blob committing) is asked again', times: 2, code: 'MANIFEST_BLOB_UNKNOWN', attempts: 3, fails: false },
  { name: 'MANIFEST_BLOB_UNKNOWN that lasts fails after the bounded retries', times: 4, code: 'MANIFEST_BLOB_UNKNOWN', attempts: 4, fails: true },
  { name: 'another 400 (MANIFEST_INVALID) is not retried', times: 1, code: 'MANIFEST_INVALID', attempts: 1, fails: true },
])('manifest push: $name', async ({ times, code, attempts, fails }) => {
  const repository = client.repository(double.host, 'app');
  const bytes = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [image], annotations: { case: code + times } }));
  const from = double.requests.length;
  double.addFault({ method: 'PUT', pathIncludes: '/manifests/', status: 400, code, times });
  const push = repository.pushManifest(bytes, 'application/vnd.oci.image.index.v1+json');
  if (fails) {
    const error = await rejectionOf(OciError, push);
    expect(error.code).toBe('REGISTRY_ERROR');
    expect(error.message).toContain(`HTTP 400 (${code}: injected fault)`);
  } else {
    expect((await push).digest).toMatch(/^sha256:/);
  }
  expect(double.requests.slice(from).filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))).toHaveLength(attempts);
});
