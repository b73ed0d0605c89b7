// The verification step at the service's own boundary: verdict classes, internal errors (500), insecure allowlist.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { classifyVerdict, failureReason, startService, type RunningService, type VerificationBackend } from '../../src/service/index.js';
import type { ErrorCode, ImageVerdict } from '../../src/verification/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { createTrustConfigDir, kyvernoContainer, post, type TrustConfigDir } from './harness.js';

// Codes the table lacks ('X', 'A', 'B') stand for "any message" where only messages are read.
const failed = (code: string, nested: string[] = []): ImageVerdict => {
  const outcomes = nested.map((c, i) => ({ signatureDigest: `sha256:${i}`, verified: false, errors: [{ code: c as ErrorCode, message: c }], validations: [] }));
  return {
    reference: 'r',
    verified: false,
    error: { code: code as ErrorCode, message: `${code} happened` },
    evidence: [{ kind: 'notary', errors: outcomes.flatMap((o) => o.errors), outcomes }],
  };
};

test.each([
  [{ reference: 'r', verified: true, evidence: [] } as ImageVerdict, 'positive'],
  [failed('SIGNATURE_NOT_FOUND'), 'negative'],
  [failed('UNTRUSTED_IDENTITY'), 'negative'],
  [failed('REGISTRY_UNAVAILABLE'), 'transient'],
  [failed('VERIFICATION_TIMEOUT'), 'transient'],
  [failed('REVOCATION_UNKNOWN'), 'transient'],
  [failed('UNTRUSTED_SIGNER', ['UNTRUSTED_SIGNER', 'TIMEOUT']), 'transient'],
])('verdict %#: %s', (result, kind) => {
  expect(classifyVerdict(result)).toBe(kind);
});

test('the 406 reason is the deciding error, else the distinct signature errors', () => {
  expect(failureReason(failed('SIGNATURE_NOT_FOUND'))).toBe('SIGNATURE_NOT_FOUND happened');
  expect(failureReason({ ...failed('X', ['A', 'B', 'A']), error: undefined })).toBe('A; B');
});

/** A backend of our own boundary that records what the service asked (no verdict is ever claimed). */
const seen: { registry: string; insecure: boolean }[] = [];
const recordingBackend: VerificationBackend = {
  async resolve({ reference, insecure }) {
    seen.push({ registry: reference.registry, insecure });
    if (reference.registry === 'crash.example') throw new TypeError("Cannot read properties of undefined (reading 'digest')");
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'1'.repeat(64)}`, size: 1 };
  },
  async verify() {
    return failed('SIGNATURE_NOT_FOUND');
  },
};

let config: TrustConfigDir;
let service: RunningService;
beforeAll(async () => {
  config = await createTrustConfigDir('tp-b', E2E_CERT_PEM);
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-b' },
    backend: recordingBackend,
    registry: { allowInsecure: ['insecure.example'] },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await service?.close();
  await config?.remove();
});

test('an unexpected error is a 500 that names the container, never a pass', async () => {
  const answer = await post(`${service.url}/checkimages`, { images: { ephemeralContainers: { debug: kyvernoContainer('crash.example', 'app', 'v1') } } });
  expect([answer.status, answer.text]).toEqual([500, 'internal error while verifying ephemeral container debug; see the service log\n']);
  expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
});

test("a request's insecure flag reaches only the registries --allowInsecureRegistry lists", async () => {
  seen.length = 0;
  const images = { containers: { a: kyvernoContainer('insecure.example', 'app', 'v1'), b: kyvernoContainer('secure.example', 'app', 'v1') } };
  await post(`${service.url}/checkimages`, { images, insecure: true });
  await post(`${service.url}/checkimages`, { images });
  const byRegistry = (insecureRequest: boolean) => seen.slice(insecureRequest ? 0 : 2, insecureRequest ? 2 : 4).sort((x, y) => x.registry.localeCompare(y.registry));
  expect(byRegistry(true)).toEqual([
    { registry: 'insecure.example', insecure: true },
    { registry: 'secure.example', insecure: false },
  ]);
  expect(byRegistry(false)).toEqual([
    { registry: 'insecure.example', insecure: false },
    { registry: 'secure.example', insecure: false },
  ]);
});
