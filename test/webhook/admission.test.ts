// The admission endpoints on the service's fastify app: real AdmissionReview JSON for a Pod, Deployment, CronJob and Tekton TaskRun, answered through a double of the policy engine.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiApp, DEFAULT_SERVER_TIMEOUTS } from '../../src/service/index.js';
import type { AdmissionRequestView, PolicyEngine, RuleResponse } from '../../src/policy/index.js';
import { admissionPlugin, MAX_ADMISSION_REVIEW_BYTES, WebhookMetrics, type AdmissionRecorder, type FailurePolicy } from '../../src/webhook/index.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';
import { DIGEST, EngineDouble } from './engine-double.js';

type Review = { apiVersion: string; kind: string; request: { uid: string; operation: string; dryRun?: boolean; object: Record<string, unknown>; oldObject?: unknown } };

function review(name: string, change: (r: Review) => void = () => undefined): Review {
  const parsed = JSON.parse(readFileSync(resolve(LOCAL_FIXTURES, 'webhook', `${name}.json`), 'utf8')) as Review;
  change(parsed);
  return parsed;
}

/** Replace every image of the object (and its old object) whose name contains `from`. */
function withImage(from: string, to: string): (r: Review) => void {
  return (r) => {
    const swap = (o: unknown) => JSON.parse(JSON.stringify(o).replaceAll(from, to)) as Record<string, unknown>;
    r.request.object = swap(r.request.object);
  };
}

const TIMEOUT_MS = 300;

interface Harness {
  app: ReturnType<typeof createApiApp>['app'];
  engines: Record<FailurePolicy, EngineDouble>;
  recorded: { request: AdmissionRequestView; rules: readonly RuleResponse[]; blocked: boolean }[];
  registry: Registry;
}

async function harness(failureAction: RuleResponse['failureAction'] = 'Enforce'): Promise<Harness> {
  const engines = { Fail: new EngineDouble({ failureAction }), Ignore: new EngineDouble({ failureAction, failurePolicy: 'Ignore' }) };
  const recorded: Harness['recorded'] = [];
  const recorder: AdmissionRecorder = { record: (request, rules, blocked) => recorded.push({ request, rules, blocked }) };
  const registry = new Registry();
  const { app } = createApiApp({
    logger: pino({ level: 'silent' }),
    bodyLimit: 1024 * 1024,
    timeouts: DEFAULT_SERVER_TIMEOUTS,
  });
  await app.register(admissionPlugin, {
    engine: (policy: FailurePolicy): PolicyEngine => engines[policy],
    answerTimeoutMs: () => TIMEOUT_MS,
    recorder,
    namespaceLabels: (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace, tier: 'gold' }),
    metrics: new WebhookMetrics(registry),
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  return { app, engines, recorded, registry };
}

async function post(h: Harness, path: string, body: unknown) {
  const response = await h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const parsed = response.json<{ apiVersion: string; kind: string; response: { uid: string; allowed: boolean; patchType?: string; patch?: string; warnings?: string[]; status?: { status: string; message: string; code?: number } } }>();
  return { status: response.statusCode, ...parsed, patch: parsed.response.patch ? (JSON.parse(Buffer.from(parsed.response.patch, 'base64').toString('utf8')) as unknown) : undefined };
}

let enforce: Harness;
let audit: Harness;
beforeAll(async () => {
  [enforce, audit] = await Promise.all([harness('Enforce'), harness('Audit')]);
});
afterAll(async () => {
  await Promise.all([enforce.app.close(), audit.app.close()]);
});

describe('/mutate', () => {
  test.each([
    { name: 'pod-create', patch: [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `registry.example/team/init:1.0@${DIGEST}` },
      { op: 'replace', path: '/spec/containers/0/image', value: `registry.example/team/web:1.0@${DIGEST}` },
    ] },
    { name: 'deployment-create', patch: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `registry.example/team/web:1.0@${DIGEST}` }] },
    { name: 'taskrun-create', patch: [
      { op: 'replace', path: '/spec/taskSpec/steps/0/image', value: `registry.example/ci/git:2.43@${DIGEST}` },
      { op: 'replace', path: '/spec/taskSpec/steps/1/image', value: `registry.example/ci/builder:1.0@${DIGEST}` },
    ] },
  ])('$name: verified images are patched to their digests (base64 JSONPatch), the uid echoed', async ({ name, patch }) => {
    const body = review(name);
    const answer = await post(enforce, '/mutate', body);
    expect(answer.status).toBe(200);
    expect(answer.apiVersion).toBe('admission.k8s.io/v1');
    expect(answer.kind).toBe('AdmissionReview');
    expect(answer.response.uid).toBe(body.request.uid);
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patchType).toBe('JSONPatch');
    expect(answer.patch).toEqual(patch);
    expect(answer.response.warnings).toBeUndefined();
  });

  test("a CronJob with an unsigned image is refused with Kyverno's denial text (autogen rule name, yaml.v2 folding)", async () => {
    const body = review('cronjob-create');
    const answer = await post(enforce, '/mutate', body);
    expect(answer.response).toEqual({
      uid: body.request.uid,
      allowed: false,
      status: {
        status: 'Failure',
        message:
          '\n\nresource CronJob/team-a/nightly was blocked due to the following policies \n\ncheck-images:\n' +
          "  autogen-cronjob-verify-signature: 'failed to verify image registry.example/team/unsigned:1.0:\n" +
          "    .attestors[0].entries[0].keys: no signatures found'\n",
      },
    });
  });

  test('Audit: the CronJob is admitted with the warning, and recorded (Events, PolicyReport) once', async () => {
    const before = audit.recorded.length;
    const answer = await post(audit, '/mutate', review('cronjob-create'));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.patch).toBeUndefined();
    expect(answer.response.warnings).toEqual([
      'policy check-images.autogen-cronjob-verify-signature: failed to verify image registry.example/team/unsigned:1.0: .attestors[0].entries[0].keys: no signatures found',
    ]);
    expect(audit.recorded.slice(before).map((r) => [r.request.name, r.blocked, r.rules.map((rule) => rule.status)])).toEqual([['nightly', false, ['fail']]]);
  });

  test('a dry run is answered the same and records nothing', async () => {
    const before = audit.recorded.length;
    const answer = await post(audit, '/mutate', review('cronjob-create', (r) => (r.request.dryRun = true)));
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings).toHaveLength(1);
    expect(audit.recorded.length).toBe(before);
  });

  test.each([
    { path: '/mutate', allowed: false, code: 'ADMISSION_TIMEOUT', image: 'slow' },
    { path: '/mutate/ignore', allowed: true, code: 'ADMISSION_TIMEOUT', image: 'slow' },
    { path: '/mutate', allowed: false, code: 'ADMISSION_FAILED', image: 'broken' },
    { path: '/mutate/ignore', allowed: true, code: 'ADMISSION_FAILED', image: 'broken' },
  ])('$code on $path: allowed=$allowed (failurePolicy of the endpoint), answered within the deadline', async ({ path, allowed, image }) => {
    const started = performance.now();
    const answer = await post(enforce, path, review('pod-create', withImage('team/web', `team/${image}`)));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 500);
    const message =
      image === 'slow'
        ? `imgverify could not verify the images of Pod/team-a/signed within ${TIMEOUT_MS} ms`
        : 'imgverify could not evaluate its policies for Pod/team-a/signed: engine double: broken on purpose';
    expect(answer.response.allowed).toBe(allowed);
    if (allowed) expect(answer.response.warnings).toEqual([message]);
    else expect(answer.response.status).toEqual({ status: 'Failure', message });
  });

  test.each([
    { harness: 'enforce', path: '/mutate', allowed: false },
    { harness: 'enforce', path: '/mutate/ignore', allowed: false },
    { harness: 'audit', path: '/mutate', allowed: false },
    { harness: 'audit', path: '/mutate/ignore', allowed: true },
  ] as const)('an error that is no registry failure ($harness rule on $path): allowed=$allowed, as blocksRequest decides', async ({ harness: which, path, allowed }) => {
    const answer = await post(which === 'enforce' ? enforce : audit, path, review('pod-create', withImage('team/web', 'team/crowded')));
    const message = 'failed to extract images: the resource has 2 images, more than the limit of 1';
    expect(answer.response.allowed).toBe(allowed);
    if (allowed) expect(answer.response.warnings).toEqual([`policy check-images.verify-signature: ${message}`]);
    else expect(answer.response.status).toEqual({ status: 'Failure', message: "\n\nresource Pod/team-a/signed was blocked due to the following policies \n\ncheck-images:\n  verify-signature: 'failed to extract images: the resource has 2 images, more than\n    the limit of 1'\n" });
  });

  test('an UPDATE that changes only status and bookkeeping is admitted without evaluating; a changed image or label is evaluated', async () => {
    const update = (change: (o: Record<string, unknown>) => void) =>
      review('pod-create', (r) => {
        r.request.operation = 'UPDATE';
        r.request.oldObject = structuredClone(r.request.object);
        change(r.request.object);
      });
    const calls = enforce.engines.Fail.calls.length;
    const untouched = await post(enforce, '/mutate', update((o) => {
      o.status = { phase: 'Running' };
      (o.metadata as Record<string, unknown>).resourceVersion = '42';
      (o.metadata as Record<string, unknown>).annotations = { 'kyverno.io/verify-images': '{"registry.example/team/web:1.0":"pass"}' };
    }));
    expect(untouched.response).toEqual({ uid: '0df28fbd-5f5f-4c4b-9b1e-5d2f3a7c6e01', allowed: true });
    expect(enforce.engines.Fail.calls.length).toBe(calls);
    await post(enforce, '/mutate', update((o) => ((o.metadata as { labels: Record<string, string> }).labels.tier = 'gold')));
    const swapped = await post(enforce, '/mutate', update((o) => ((o.spec as { containers: { image: string }[] }).containers[0] = { image: 'registry.example/team/unsigned:2.0' })));
    expect(swapped.response.allowed).toBe(false);
    expect(enforce.engines.Fail.calls.length).toBe(calls + 2);
  });

  test("the engine sees the namespace's labels as the cluster has them, never labels the request brings", async () => {
    await post(enforce, '/mutate', review('pod-create', (r) => Object.assign(r.request, { namespaceLabels: { tier: 'free' } })));
    expect(enforce.engines.Fail.calls.at(-1)?.namespaceLabels).toEqual({ 'kubernetes.io/metadata.name': 'team-a', tier: 'gold' });
  });

  test('DELETE is admitted without evaluating', async () => {
    const calls = enforce.engines.Fail.calls.length;
    const answer = await post(enforce, '/mutate', review('pod-create', (r) => (r.request.operation = 'DELETE')));
    expect(answer.response.allowed).toBe(true);
    expect(enforce.engines.Fail.calls.length).toBe(calls);
  });
});

describe('/validate', () => {
  test('images pinned to the verified digests are admitted, without a patch', async () => {
    const answer = await post(enforce, '/validate', review('deployment-create', withImage('team/web:1.0', `team/web:1.0@${DIGEST}`)));
    expect(answer.response).toEqual({ uid: '6a1c3c1e-8f0b-4a8e-a7e3-2f6f0c1d9b12', allowed: true });
  });

  test('an image no longer pinned (changed after /mutate) is refused', async () => {
    const answer = await post(enforce, '/validate', review('deployment-create'));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toBe(
      'resource Deployment/team-a/web: an image is not the digest imgverify verified at admission (was it changed by a later mutating webhook?): /spec/template/spec/containers/0/image',
    );
  });

  test('an image swapped to an unsigned digest is refused as at /mutate', async () => {
    const answer = await post(enforce, '/validate', review('pod-create', withImage('team/web:1.0', `team/unsigned:1.0@${DIGEST}`)));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain("verify-signature: 'failed to verify image registry.example/team/unsigned:1.0@sha256:");
  });
});

describe('bad requests', () => {
  test.each([
    { name: 'not an AdmissionReview', body: { kind: 'Pod', apiVersion: 'v1' }, uid: '', message: 'invalid AdmissionReview: expected apiVersion admission.k8s.io/v1 and kind AdmissionReview, got v1 Pod' },
    { name: 'no operation', body: { ...review('pod-create'), request: { ...review('pod-create').request, operation: 'PATCH' } }, uid: '0df28fbd-5f5f-4c4b-9b1e-5d2f3a7c6e01', message: 'invalid AdmissionReview: request.operation must be one of CREATE, UPDATE, DELETE, CONNECT' },
    {
      name: 'nested too deep',
      body: review('pod-create', (r) => {
        let deep: Record<string, unknown> = {};
        const root = deep;
        for (let i = 0; i < 300; i++) deep = (deep.next = {}) as Record<string, unknown>;
        r.request.object.extra = root;
      }),
      uid: '0df28fbd-5f5f-4c4b-9b1e-5d2f3a7c6e01',
      message: 'invalid AdmissionReview: request.object is nested deeper than 200 levels',
    },
  ])('$name: refused (fail closed, on /mutate/ignore too) with code 400, the uid echoed when there is one', async ({ body, uid, message }) => {
    const answer = await post(enforce, '/mutate/ignore', body);
    expect(answer.status).toBe(200);
    expect(answer.response).toEqual({ uid, allowed: false, status: { status: 'Failure', message, code: 400 } });
  });

  test('a body over the bound is refused by HTTP 413 before it is parsed', async () => {
    const body = review('pod-create', (r) => (r.request.object.padding = 'x'.repeat(MAX_ADMISSION_REVIEW_BYTES)));
    const response = await enforce.app.inject({ method: 'POST', url: '/mutate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(response.statusCode).toBe(413);
  });
});

test('metrics: requests by webhook, result and failure policy; rule results by policy', async () => {
  const metrics = await enforce.registry.getMetricsAsJSON();
  const values = (name: string) => metrics.find((m) => m.name === name)?.values.map((v) => ({ ...v.labels, value: v.value }));
  expect(values('imgverify_admission_requests_total')).toEqual(
    expect.arrayContaining([
      { webhook: 'mutate', result: 'patched', failure_policy: 'Fail', value: 5 },
      { webhook: 'mutate', result: 'timeout', failure_policy: 'Ignore', value: 1 },
      { webhook: 'mutate', result: 'unchanged', failure_policy: 'Fail', value: 2 },
      { webhook: 'mutate', result: 'invalid', failure_policy: 'Ignore', value: 3 },
      { webhook: 'validate', result: 'denied', failure_policy: 'Fail', value: 2 },
    ]),
  );
  expect(values('imgverify_admission_policy_results_total')).toEqual(expect.arrayContaining([{ policy: 'check-images', rule: 'autogen-cronjob-verify-signature', status: 'fail', value: 1 }]));
});
