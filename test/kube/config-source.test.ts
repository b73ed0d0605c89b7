// The CRD config source against the Kubernetes API double: two replicas follow edits, reject invalid versions, survive dropped watches, 410 and an unreachable API server.
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { KubernetesConfigSource, EventRecorder, KubernetesMetrics } from '../../src/kube/index.js';
import { notaryConfigValidators } from '../../src/service/index.js';
import { E2E_CERT_PEM, trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { COLLECTIONS } from '../support/k8s-double.js';
import { waitFor } from '../support/ports.js';
import { captureLogs, objectOf, startCluster, type CapturedLogger, type Cluster } from './cluster.js';

const NAMESPACE = 'kyverno-notation-aws';

interface Replica {
  source: KubernetesConfigSource;
  logs: CapturedLogger;
  registry: Registry;
}

let cluster: Cluster;
let replicas: Replica[] = [];

async function startReplica(name: string): Promise<Replica> {
  const logs = captureLogs();
  const registry = new Registry();
  const api = cluster.api();
  const source = new KubernetesConfigSource({
    api,
    logger: logs.logger,
    validators: notaryConfigValidators,
    metrics: new KubernetesMetrics(registry),
    events: new EventRecorder(api, NAMESPACE, name, logs.logger),
    debounceMs: 10,
    retryMinMs: 50,
    startTimeoutMs: 5_000,
  });
  await source.start();
  const replica = { source, logs, registry };
  replicas.push(replica);
  return replica;
}

function level(replica: Replica, policy = 'tp'): string | undefined {
  return replica.source.current().trustPolicies.get(policy)?.document.trustPolicies[0]?.signatureVerification.level;
}

async function metric(replica: Replica, name: string): Promise<string> {
  return (await replica.registry.getSingleMetricAsString(name)).split('\n').filter((l) => !l.startsWith('#')).join('\n');
}

beforeAll(async () => {
  cluster = await startCluster();
});

afterEach(async () => {
  await Promise.all(replicas.map((r) => r.source.close()));
  replicas = [];
  for (const collection of [COLLECTIONS.trustPolicies, COLLECTIONS.trustStores]) for (const o of cluster.double.list(collection)) cluster.double.remove(collection, o.metadata.name);
});

afterAll(async () => {
  await cluster?.stop();
});

function seed(levelName = 'strict'): void {
  cluster.double.upsert(COLLECTIONS.trustStores, objectOf(trustStoreYaml({ name: 'tp-ts', pem: E2E_CERT_PEM })));
  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: levelName })));
}

test('a CRD edit reaches both replicas within seconds; each rebuilds once per change', async () => {
  seed();
  const [a, b] = [await startReplica('a'), await startReplica('b')];
  expect([level(a), level(b)]).toEqual(['strict', 'strict']);
  expect(a.source.current().trustPolicies.get('tp')?.trustStores.has('ca:tp-ts')).toBe(true);
  const before = [a.source.current().generation, b.source.current().generation];

  const started = Date.now();
  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: 'audit' })));
  await waitFor(async () => level(a) === 'audit' && level(b) === 'audit', 5_000, 'both replicas to apply the edit');
  expect(Date.now() - started).toBeLessThan(3_000); // ~50 ms when idle
  expect([a.source.current().generation, b.source.current().generation]).toEqual([before[0]! + 1, before[1]! + 1]);

  cluster.double.remove(COLLECTIONS.trustPolicies, 'tp');
  await waitFor(async () => !a.source.current().trustPolicies.has('tp') && !b.source.current().trustPolicies.has('tp'), 5_000, 'the deletion');
});

test('an invalid version is rejected whole: last good kept, one log line naming resource and field, a metric and an Event per replica', async () => {
  seed();
  const [a, b] = [await startReplica('a'), await startReplica('b')];
  const broken = objectOf(trustPolicyYaml({ name: 'tp', level: 'audit' }));
  (broken.spec as { trustPolicies: { registryScopes: string[] }[] }).trustPolicies[0]!.registryScopes = [];
  const stored = cluster.double.upsert(COLLECTIONS.trustPolicies, broken);

  await waitFor(async () => (await metric(a, 'imgverify_kubernetes_invalid_resources_total')).includes('kind="TrustPolicy"} 1') && (await metric(b, 'imgverify_kubernetes_invalid_resources_total')).includes('kind="TrustPolicy"} 1'), 5_000, 'the rejection');
  expect([level(a), level(b)]).toEqual(['strict', 'strict']);
  const lines = a.logs.records().filter((r) => r.kind === 'TrustPolicy' && r.level === 50);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    name: 'tp',
    field: 'spec.trustPolicies[0].registryScopes',
    resourceVersion: stored.metadata.resourceVersion,
    msg: 'invalid TrustPolicy "tp": spec.trustPolicies[0].registryScopes: must list at least one scope ("*" or registry/repository); the last good version stays in use',
  });
  await waitFor(async () => cluster.double.list(COLLECTIONS.events(NAMESPACE)).length === 2, 5_000, 'two Events');
  const events = cluster.double.list(COLLECTIONS.events(NAMESPACE));
  expect(events.map((e) => e.reportingInstance).sort()).toEqual(['a', 'b']);
  expect(events[0]).toMatchObject({
    type: 'Warning',
    reason: 'InvalidResource',
    involvedObject: { apiVersion: 'notation.nirmata.io/v1alpha1', kind: 'TrustPolicy', name: 'tp', resourceVersion: stored.metadata.resourceVersion },
    source: { component: 'imgverify' },
  });

  // A resync (nothing changed) reports nothing again; the fixed version applies.
  await a.source.reload();
  expect(a.logs.records().filter((r) => r.kind === 'TrustPolicy' && r.level === 50)).toHaveLength(1);
  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: 'permissive' })));
  await waitFor(async () => level(a) === 'permissive' && level(b) === 'permissive', 5_000, 'the fixed version');
  for (const e of cluster.double.list(COLLECTIONS.events(NAMESPACE))) cluster.double.remove(COLLECTIONS.events(NAMESPACE), e.metadata.name);
});

test('watch dropped: resumes from its resourceVersion and gets the update made meanwhile; after compaction (410 Gone) it relists', async () => {
  seed();
  const a = await startReplica('a');
  const lists = () => cluster.double.requests.filter((r) => r.startsWith('GET /apis/notation.nirmata.io/v1alpha1/trustpolicies') && !r.includes('watch=true')).length;
  const listsBefore = lists();

  cluster.double.dropWatches();
  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: 'audit' })));
  await waitFor(async () => level(a) === 'audit', 5_000, 'the update made while the watch was down');
  expect(lists()).toBe(listsBefore);

  // The history is gone: the resumed watch gets 410 Expired and the informer relists.
  cluster.double.dropWatches();
  cluster.double.compact();
  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: 'permissive' })));
  await waitFor(async () => level(a) === 'permissive', 5_000, 'the update after 410');
  expect(lists()).toBe(listsBefore + 1);
  expect(cluster.double.requests.some((r) => r.includes('watch=true') && r.includes('allowWatchBookmarks=true') && r.includes('timeoutSeconds='))).toBe(true);
});

test('API server unreachable: the last config keeps serving, health and metric say so; on return the missed change applies', async () => {
  seed();
  const a = await startReplica('a');
  expect(a.source.health()).toEqual({ connected: true });
  const generation = a.source.current().generation;

  cluster.double.setDown(true);
  await waitFor(async () => !a.source.health().connected, 5_000, 'the replica to notice');
  expect(a.source.health().detail).toMatch(/^Kubernetes API unreachable, serving the last configuration \(generation \d+\): \/apis\/notation\.nirmata\.io\/v1alpha1\/trust/);
  expect(await metric(a, 'imgverify_kubernetes_api_connected')).toContain('imgverify_kubernetes_api_connected{collection="trustpolicies"} 0');
  expect(a.source.current().generation).toBe(generation);
  expect(level(a)).toBe('strict');
  expect(a.source.ready).toBe(true);

  cluster.double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp', level: 'audit' })));
  await new Promise((r) => setTimeout(r, 300));
  expect(level(a)).toBe('strict');
  cluster.double.setDown(false);
  await waitFor(async () => level(a) === 'audit' && a.source.health().connected, 5_000, 'the change after the API server came back');
  expect(await metric(a, 'imgverify_kubernetes_api_connected')).toContain('imgverify_kubernetes_api_connected{collection="trustpolicies"} 1');
});

test('start fails with a clear error when the CRDs cannot be listed', async () => {
  cluster.double.setDown(true);
  const logs = captureLogs();
  const source = new KubernetesConfigSource({ api: cluster.api(), logger: logs.logger, retryMinMs: 50, startTimeoutMs: 400 });
  await expect(source.start()).rejects.toMatchObject({ code: 'KUBERNETES_API_ERROR', message: expect.stringMatching(/^cannot list the TrustPolicy\/TrustStore CRDs within 400 ms \(/) });
  cluster.double.setDown(false);
});
