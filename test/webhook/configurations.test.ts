// Webhook configurations from the policies' match blocks (exact objects, valid against the Kubernetes schemas), and the leader keeping them in the API double with the caBundle rotated.
import { X509Certificate } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration';
import { ValidatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration';
import { issueServingCa } from '../../src/service/index.js';
import type { CompiledKyvernoPolicy } from '../../src/policy/index.js';
import { caBundle, kindRule, WebhookRegistration, webhookConfigurations, webhookTimeouts } from '../../src/webhook/index.js';
import { startCluster, type Cluster } from '../kube/cluster.js';
import type { KubeObject } from '../support/k8s-double.js';
import { podPolicy, taskRunPolicy } from './policies.js';

const TARGET = { serviceName: 'imgverify', namespace: 'imgverify', caBundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' };
const CA_BUNDLE = Buffer.from(TARGET.caBundle).toString('base64');

test.each([
  { selector: 'Pod', rule: { group: '', version: '*', resources: ['pods', 'pods/ephemeralcontainers'] } },
  { selector: 'apps/v1/Deployment', rule: { group: 'apps', version: 'v1', resources: ['deployments'] } },
  { selector: 'v1/Pod', rule: { group: '', version: 'v1', resources: ['pods', 'pods/ephemeralcontainers'] } },
  { selector: 'tekton.dev/v1beta1/TaskRun.status', rule: { group: 'tekton.dev', version: 'v1beta1', resources: ['taskruns/status'] } },
  { selector: 'Pod/exec', rule: { group: '', version: '*', resources: ['pods/exec'] } },
  { selector: 'NetworkPolicy', rule: { group: '*', version: '*', resources: ['networkpolicies'] } },
  { selector: '*', rule: { group: '*', version: '*', resources: ['*'] } },
])("kind selector $selector → webhook rule parts", ({ selector, rule }) => {
  expect(kindRule(selector)).toEqual(rule);
});

describe('generated from the match blocks', () => {
  const { mutating, validating } = webhookConfigurations([podPolicy, taskRunPolicy], TARGET);

  test('one webhook per failure policy: rules from the kinds (autogen included), selectors every filter shares, our namespace excluded', () => {
    expect(mutating).toEqual({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'imgverify-mutating-webhook-cfg', labels: { 'webhook.imgverify.dev/managed-by': 'imgverify' } },
      webhooks: [
        {
          name: 'mutate.imgverify.svc-fail',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'imgverify', namespace: 'imgverify', path: '/mutate', port: 443 }, caBundle: CA_BUNDLE },
          rules: [
            { apiGroups: [''], apiVersions: ['*'], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'], operations: ['CREATE', 'UPDATE'], scope: '*' },
            { apiGroups: ['apps'], apiVersions: ['*'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], operations: ['CREATE', 'UPDATE'], scope: '*' },
            { apiGroups: ['batch'], apiVersions: ['*'], resources: ['cronjobs', 'jobs'], operations: ['CREATE', 'UPDATE'], scope: '*' },
          ],
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          namespaceSelector: {
            matchLabels: { 'imgverify.dev/enforce': 'true' },
            matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['imgverify'] }],
          },
          objectSelector: {},
          timeoutSeconds: 10,
          sideEffects: 'NoneOnDryRun',
          reinvocationPolicy: 'IfNeeded',
        },
        {
          name: 'mutate.imgverify.svc-ignore',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'imgverify', namespace: 'imgverify', path: '/mutate/ignore', port: 443 }, caBundle: CA_BUNDLE },
          rules: [{ apiGroups: ['tekton.dev'], apiVersions: ['v1beta1'], resources: ['taskruns'], operations: ['CREATE'], scope: '*' }],
          failurePolicy: 'Ignore',
          matchPolicy: 'Equivalent',
          namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ci'] }] },
          objectSelector: { matchLabels: { 'tekton.dev/task': 'build' } },
          timeoutSeconds: 5,
          sideEffects: 'NoneOnDryRun',
          reinvocationPolicy: 'IfNeeded',
        },
      ],
    });
    expect(validating.webhooks?.map((w) => [w.name, w.clientConfig.service?.path, w.sideEffects, w.failurePolicy])).toEqual([
      ['validate.imgverify.svc-fail', '/validate', 'None', 'Fail'],
      ['validate.imgverify.svc-ignore', '/validate/ignore', 'None', 'Ignore'],
    ]);
    expect(validating.webhooks?.map((w) => w.rules)).toEqual(mutating.webhooks?.map((w) => w.rules));
  });

  test('both validate against the Kubernetes schemas', () => {
    expect(() => new MutatingWebhookConfiguration(mutating as never).validate()).not.toThrow();
    expect(() => new ValidatingWebhookConfiguration(validating as never).validate()).not.toThrow();
  });

  test('webhook timeouts per endpoint (the answer deadline stays below them); selectors that differ are left out', () => {
    expect(webhookTimeouts([podPolicy, taskRunPolicy], TARGET)).toEqual({ Fail: 10, Ignore: 5 });
    const other: CompiledKyvernoPolicy = { ...taskRunPolicy, namespace: undefined, kind: 'ClusterPolicy', failurePolicy: 'Fail', webhookTimeoutSeconds: 45 } as CompiledKyvernoPolicy;
    const [webhook] = webhookConfigurations([podPolicy, other], TARGET).mutating.webhooks ?? [];
    expect([webhook?.namespaceSelector, webhook?.objectSelector, webhook?.timeoutSeconds]).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['imgverify'] }] },
      {},
      30,
    ]);
  });

  test('no verifyImages rule: configurations without webhooks', () => {
    const none = { ...podPolicy, rules: podPolicy.rules.map((r) => ({ ...r, verifyImages: [] })) };
    expect(webhookConfigurations([none], TARGET).mutating.webhooks).toEqual([]);
  });
});

describe('the leader keeps them in the cluster (API double)', () => {
  let cluster: Cluster;
  const NAMESPACE = 'imgverify';
  const CA_SECRET = 'imgverify.imgverify.svc.tls-ca';
  const secrets = { prefix: '/api/v1', namespace: NAMESPACE, plural: 'secrets' };
  const mutatingConfigs = { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'mutatingwebhookconfigurations' };
  const validatingConfigs = { prefix: '/apis/admissionregistration.k8s.io/v1', plural: 'validatingwebhookconfigurations' };
  const writeCa = (cert: string) =>
    cluster.double.upsert(secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: CA_SECRET, namespace: NAMESPACE }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(cert).toString('base64'), 'tls.key': '' } } as KubeObject);
  const bundleIn = (name: string) => {
    const stored = cluster.double.get(mutatingConfigs, name) as unknown as { webhooks: { clientConfig: { caBundle: string } }[] };
    return Buffer.from(stored.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  };

  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => cluster.stop());

  test('created with the CA, updated when the policies change, the CA rotation keeps the previous CA, writes only on change', async () => {
    const first = await issueServingCa(new Date());
    writeCa(first.cert);
    let policies: CompiledKyvernoPolicy[] = [podPolicy];
    const registration = new WebhookRegistration({ api: cluster.api(), namespace: NAMESPACE, serviceName: 'imgverify', caSecretName: CA_SECRET, policies: () => policies, logger: pino({ level: 'silent' }), checkIntervalMs: 60_000 });
    const leading = new AbortController();
    registration.runAsLeader(leading.signal);
    await registration.settled();
    expect(bundleIn('imgverify-mutating-webhook-cfg')).toBe(first.cert);
    expect((cluster.double.get(validatingConfigs, 'imgverify-validating-webhook-cfg') as unknown as { webhooks: unknown[] }).webhooks).toHaveLength(1);

    policies = [podPolicy, taskRunPolicy];
    registration.trigger();
    await registration.settled();
    expect((cluster.double.get(mutatingConfigs, 'imgverify-mutating-webhook-cfg') as unknown as { webhooks: { name: string }[] }).webhooks.map((w) => w.name)).toEqual(['mutate.imgverify.svc-fail', 'mutate.imgverify.svc-ignore']);

    const second = await issueServingCa(new Date());
    writeCa(second.cert);
    registration.trigger();
    await registration.settled();
    expect(bundleIn('imgverify-mutating-webhook-cfg')).toBe(`${second.cert.trim()}\n${first.cert.trim()}\n`);
    expect(certificateSubjects(bundleIn('imgverify-mutating-webhook-cfg'))).toHaveLength(2);

    const writes = cluster.double.requests.filter((r) => r.startsWith('PUT') || r.startsWith('POST')).length;
    registration.trigger();
    await registration.settled();
    expect(cluster.double.requests.filter((r) => r.startsWith('PUT') || r.startsWith('POST')).length).toBe(writes);

    leading.abort();
    policies = [];
    registration.trigger();
    await registration.settled();
    expect((cluster.double.get(mutatingConfigs, 'imgverify-mutating-webhook-cfg') as unknown as { webhooks: unknown[] }).webhooks).toHaveLength(2);
  });

  test('caBundle: an expired previous CA is dropped, at most two certificates kept', async () => {
    const now = new Date();
    const [a, b, c] = await Promise.all([issueServingCa(now), issueServingCa(now), issueServingCa(now)]);
    expect(certificateSubjects(caBundle(c.cert, `${b.cert}${a.cert}`, now))).toHaveLength(2);
    const later = new Date(now.getTime() + 400 * 24 * 3600 * 1000);
    expect(caBundle(c.cert, b.cert, later)).toBe(`${c.cert.trim()}\n`);
  });
});

function certificateSubjects(bundle: string): string[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).subject);
}
