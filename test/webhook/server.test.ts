// `imgverify webhook` in-process against the Kubernetes API double: TLS Secrets and webhook configurations made by the leader, AdmissionReviews over real HTTPS trusted through the caBundle it wrote, metrics in the same registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { startWebhook, type RunningWebhook } from '../../src/service/index.js';
import { convertPolicies } from '../../src/webhook/index.js';
import { COLLECTIONS, startKubernetesApiDouble, type KubeObject, type KubernetesApiDouble } from '../support/k8s-double.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';

const NAMESPACE = 'imgverify';
const CONFIGS = { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations' };
/** `imgverify serve`'s leader in the same namespace, holding its Lease for an hour. */
const SERVE_LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kyverno-notation-aws', namespace: NAMESPACE }, spec: { holderIdentity: 'serve-replica', leaseDurationSeconds: 3600, acquireTime: new Date().toISOString(), renewTime: new Date().toISOString(), leaseTransitions: 0 } };
let double: KubernetesApiDouble;
let webhook: RunningWebhook;
let dir: string;

/** Kyverno's Notary policy from the docs, ours by `convert`, its images mirrored to a registry nobody listens on, failing open. */
function policy(): KubeObject {
  const converted = parse(convertPolicies(readFileSync(resolve(LOCAL_FIXTURES, 'webhook/check-image-notary.yaml'), 'utf8'), 'fixture').yaml) as KubeObject & { spec: Record<string, unknown> };
  return { ...converted, spec: { ...converted.spec, failurePolicy: 'Ignore', webhookTimeoutSeconds: 5 } };
}

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function post(url: string, path: string, ca: string, body: unknown): Promise<{ status: number; body: { response: { uid: string; allowed: boolean; warnings?: string[]; patch?: string } } }> {
  return new Promise((resolvePost, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', ca, servername: `imgverify.${NAMESPACE}.svc`, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-webhook-'));
  double = await startKubernetesApiDouble({ bookmarkIntervalMs: 100 });
  double.upsert({ prefix: '/apis/imgverify.dev/v1alpha1', plural: 'clusterimageverificationpolicies' }, policy());
  double.upsert(COLLECTIONS.leases(NAMESPACE), SERVE_LEASE as unknown as KubeObject);
  webhook = await startWebhook({
    kubernetes: { local: true, kubeconfigPath: await double.writeKubeconfig(dir), namespace: NAMESPACE, startTimeoutMs: 10_000, retryMinMs: 50, leaderElect: true, identity: 'webhook-a' },
    serviceName: 'imgverify',
    listen: { host: '127.0.0.1', port: 0 },
    metrics: { host: '127.0.0.1', port: 0 },
    registryMirrors: { 'ghcr.io': '127.0.0.1:9' },
    plainHttpForLocalhost: true,
    logger: pino({ level: 'silent' }),
  });
}, 60_000);

afterAll(async () => {
  await webhook?.close();
  await double?.stop();
  await rm(dir, { recursive: true, force: true });
});

test("the webhook elects its leader with its own Lease: serve's leader in the namespace does not keep it from leading", async () => {
  const lease = await until('the webhook Lease', () => double.get(COLLECTIONS.leases(NAMESPACE), 'imgverify-webhook') as unknown as { spec: { holderIdentity: string } } | undefined);
  expect(lease.spec.holderIdentity).toMatch(/^webhook-a/);
  expect(double.get(COLLECTIONS.leases(NAMESPACE), 'kyverno-notation-aws')?.spec).toMatchObject({ holderIdentity: 'serve-replica' });
});

test('the leader registers the webhooks with the CA it created; the API server (here: us) reaches /mutate/ignore over TLS with that caBundle', async () => {
  const config = await until('the mutating configuration', () => double.get(CONFIGS, 'imgverify-mutating-webhook-cfg') as unknown as { webhooks: { name: string; timeoutSeconds: number; clientConfig: { caBundle: string; service: { path: string } } }[] } | undefined);
  expect(config.webhooks.map((w) => [w.name, w.clientConfig.service.path, w.timeoutSeconds])).toEqual([['mutate.imgverify.svc-ignore', '/mutate/ignore', 5]]);
  const ca = Buffer.from(config.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');

  const pod = JSON.parse(readFileSync(resolve(LOCAL_FIXTURES, 'webhook/pod-create.json'), 'utf8')) as { request: { object: unknown } };
  pod.request.object = JSON.parse(JSON.stringify(pod.request.object).replaceAll('registry.example/team/web:1.0', 'ghcr.io/kyverno/test-verify-image:signed')) as unknown;
  const answer = await post(webhook.url, '/mutate/ignore', ca, pod);
  expect(answer.status).toBe(200);
  expect(answer.body.response.uid).toBe('0df28fbd-5f5f-4c4b-9b1e-5d2f3a7c6e01');
  // The registry cannot be reached: failurePolicy Ignore admits (Kyverno's behaviour); no image is pinned, the annotation records the failure.
  expect(answer.body.response.allowed).toBe(true);
  const patch = JSON.parse(Buffer.from(answer.body.response.patch ?? '', 'base64').toString('utf8')) as { op: string; path: string; value: unknown }[];
  expect(patch.map((p) => p.path)).toEqual(['/metadata/annotations', '/metadata/annotations/kyverno.io~1verify-images', '/metadata/annotations/kyverno.io~1verify-images-scoped']);
  expect(patch[1]?.value).toBe('{"ghcr.io/kyverno/test-verify-image:signed":"fail"}');

  const metrics = await (await fetch(webhook.metricsUrl as string)).text();
  expect(metrics).toContain('imgverify_admission_requests_total{webhook="mutate",result="patched",failure_policy="Ignore"} 1');
  expect(metrics).toContain('imgverify_checkimages_requests_total');
}, 30_000);
