// The admission endpoint on the real engine (src/policy's registryEngineFactory, as `imgverify webhook` wires it) and the
// real docker-registry: seed 004 (Notary) with the test's certificate, images signed by imgverify's notation signing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import { AttestorVerdictCache, registryEngineFactory } from '../../src/policy/index.js';
import { createApiApp, DEFAULT_SERVER_TIMEOUTS } from '../../src/service/index.js';
import { admissionPlugin } from '../../src/webhook/index.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { policiesOf, seedText, withPem } from '../policy/support.js';

const REPO = 'kyverno/test-verify-image';
const IMAGE = `ghcr.io/${REPO}`;
let registry: RegistryServer;
let client: RegistryClient;
let app: ReturnType<typeof createApiApp>['app'];
const digests: Record<string, string> = {};
const verdicts = new AttestorVerdictCache();

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 } });
  const chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'policy signer', leaf: { keys: await cachedKeyPair('ec-256', 'policy-leaf') }, root: { keys: await cachedKeyPair('ec-256', 'policy-root') } });
  const repository = client.repository(registry.host, REPO);
  for (const tag of ['signed', 'unsigned']) {
    digests[tag] = (await pushImage(repository, { tag, layers: [new TextEncoder().encode(`webhook ${tag}`)] })).descriptor.digest;
  }
  await signArtifact(repository, 'signed', { key: chain.leaf.privateKey, certificateChain: chain.chain });
  const engine = registryEngineFactory({ client, registryMirrors: { 'ghcr.io': registry.host }, verdicts })(policiesOf(withPem(seedText('004-check-image-notary.yaml'), chain.root.pem)));
  ({ app } = createApiApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024 * 1024, timeouts: DEFAULT_SERVER_TIMEOUTS }));
  await app.register(admissionPlugin, { engine: (failurePolicy) => (failurePolicy === 'Fail' ? engine : undefined), answerTimeoutMs: () => 10_000, logger: pino({ level: 'silent' }) });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await Promise.all([app?.close(), registry?.stop(), client?.close()]);
});

/** The Pod fixture's AdmissionReview with one container running `image`. */
function podReview(image: string) {
  const review = JSON.parse(readFileSync(resolve(LOCAL_FIXTURES, 'webhook', 'pod-create.json'), 'utf8')) as { request: { uid: string; object: { spec: Record<string, unknown> & { containers: { image: string }[] } } } };
  delete review.request.object.spec.initContainers;
  review.request.object.spec.containers = [{ ...review.request.object.spec.containers[0], image } as { image: string }];
  return review;
}

async function mutate(image: string) {
  const body = podReview(image);
  const response = await app.inject({ method: 'POST', url: '/mutate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  expect(response.statusCode).toBe(200);
  const { response: answer } = response.json<{ response: { uid: string; allowed: boolean; patchType?: string; patch?: string; status?: { message: string } } }>();
  expect(answer.uid).toBe(body.request.uid);
  return { ...answer, patch: answer.patch ? (JSON.parse(Buffer.from(answer.patch, 'base64').toString('utf8')) as unknown) : undefined };
}

test('a signed image: allowed, pinned to the digest the registry resolved, with the verify-images annotations', async () => {
  const digest = digests.signed as string;
  const answer = await mutate(`${IMAGE}:signed`);
  expect(answer.allowed).toBe(true);
  expect(answer.patchType).toBe('JSONPatch');
  expect(answer.patch).toEqual([
    { op: 'replace', path: '/spec/containers/0/image', value: `${IMAGE}:signed@${digest}` },
    { op: 'add', path: '/metadata/annotations', value: {} },
    { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images', value: `{"${IMAGE}@${digest}":"pass"}` },
    { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images-scoped', value: `{"version":1,"policies":{"/check-image-notary":{"verify-signature-notary":{"${IMAGE}@${digest}":"pass"}}}}` },
  ]);
});

test("an unsigned image: denied with Kyverno's text", async () => {
  const digest = digests.unsigned as string;
  const answer = await mutate(`${IMAGE}:unsigned`);
  expect(answer.allowed).toBe(false);
  expect(answer.patch).toBeUndefined();
  expect(answer.status?.message).toBe(
    '\n\nresource Pod/team-a/signed was blocked due to the following policies \n\ncheck-image-notary:\n' +
      `  verify-signature-notary: 'failed to verify image ${IMAGE}:unsigned:\n` +
      `    .attestors[0].entries[0]: failed to verify ${IMAGE}@${digest}:\n` +
      `    no signature is associated with "${IMAGE}@${digest}",\n` +
      "    make sure the artifact was signed successfully'\n",
  );
});

test('useCache: the same signed image admitted again reuses the pass for its digest (one verification), the same answer', async () => {
  const first = await mutate(`${IMAGE}:signed`);
  const { hits } = verdicts;
  const again = await mutate(`${IMAGE}:signed`);
  expect(verdicts.hits).toBe(hits + 1);
  expect(again).toEqual(first);
  // A failure is never cached: the unsigned image is verified each time.
  await mutate(`${IMAGE}:unsigned`);
  expect(verdicts.hits).toBe(hits + 1);
});
