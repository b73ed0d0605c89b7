// Policies from the cluster (API double): our two CRDs watched across namespaces, Kyverno's kinds only when opted in, each object's Ready condition as src/policy judges its document, written by the leader only when it changes.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parsePolicies } from '../../src/policy/index.js';
import { convertPolicies, PolicySource, readyCondition, type Condition } from '../../src/webhook/index.js';
import { startCluster, type Cluster } from '../kube/cluster.js';
import type { KubeObject } from '../support/k8s-double.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';

const logger = pino({ level: 'silent' });
const CLUSTER_POLICIES = { prefix: '/apis/imgverify.dev/v1alpha1', plural: 'clusterimageverificationpolicies' };
const POLICIES_IN = (namespace: string) => ({ prefix: '/apis/imgverify.dev/v1alpha1', namespace, plural: 'imageverificationpolicies' });
const KYVERNO_CLUSTER_POLICIES = { prefix: '/apis/kyverno.io/v1', plural: 'clusterpolicies' };

const kyvernoText = readFileSync(resolve(LOCAL_FIXTURES, 'webhook/check-image-notary.yaml'), 'utf8');
const converted = parse(convertPolicies(kyvernoText, 'fixture').yaml) as KubeObject;
const namespaced: KubeObject = { ...converted, kind: 'ImageVerificationPolicy', metadata: { name: 'ci-images', namespace: 'ci' } };
const invalid: KubeObject = { ...converted, metadata: { name: 'broken' }, spec: { rules: [{ name: 'r', verifyImages: [{ type: 'Bogus' }] }] } };

/** What src/policy says about the object's document, as the condition the source must write. */
function expected(object: KubeObject, kyvernoKind: string): Omit<Condition, 'lastTransitionTime'> {
  const origin = `${object.kind ?? ''} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
  const { issues } = parsePolicies([{ origin, text: JSON.stringify({ ...object, apiVersion: 'kyverno.io/v1', kind: kyvernoKind, status: undefined }) }]);
  const { lastTransitionTime: _at, ...condition } = readyCondition(issues, undefined, new Date());
  return condition;
}

function conditionOf(object: KubeObject | undefined): Omit<Condition, 'lastTransitionTime'> | undefined {
  const found = (object?.status as { conditions?: Condition[] } | undefined)?.conditions?.find((c) => c.type === 'Ready');
  if (!found) return undefined;
  const { lastTransitionTime: _at, ...condition } = found;
  return condition;
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
  cluster.double.upsert(CLUSTER_POLICIES, converted);
  cluster.double.upsert(CLUSTER_POLICIES, invalid);
  cluster.double.upsert(POLICIES_IN('ci'), namespaced);
  cluster.double.upsert(KYVERNO_CLUSTER_POLICIES, parse(kyvernoText) as KubeObject);
});
afterAll(async () => cluster.stop());

test('the leader writes each object its Ready condition (namespaced ones found in every namespace), once', async () => {
  const source = new PolicySource({ api: cluster.api(), logger, writesStatus: () => true, debounceMs: 10 });
  await source.start(5_000);
  expect(conditionOf(cluster.double.get(CLUSTER_POLICIES, 'check-image-notary'))).toEqual(expected(converted, 'ClusterPolicy'));
  expect(conditionOf(cluster.double.get(CLUSTER_POLICIES, 'broken'))).toEqual(expected(invalid, 'ClusterPolicy'));
  expect(conditionOf(cluster.double.get(CLUSTER_POLICIES, 'broken'))?.status).toBe('False');
  expect(conditionOf(cluster.double.get(POLICIES_IN('ci'), 'ci-images'))).toEqual(expected(namespaced, 'Policy'));
  const statusWrites = () => cluster.double.requests.filter((r) => r.startsWith('PUT') && r.includes('/status')).length;
  const writes = statusWrites();
  expect(writes).toBe(3);
  await source.rebuild();
  expect(statusWrites()).toBe(writes);
  await source.stop();
});

test('a replica that does not lead writes nothing; Kyverno kinds are read only with the opt-in', async () => {
  const before = cluster.double.requests.length;
  const follower = new PolicySource({ api: cluster.api(), logger, writesStatus: () => false });
  await follower.start(5_000);
  expect(cluster.double.requests.slice(before).filter((r) => !r.startsWith('GET'))).toEqual([]);
  expect(cluster.double.requests.slice(before).some((r) => r.includes('/apis/kyverno.io/'))).toBe(false);
  await follower.stop();
  const withKyverno = new PolicySource({ api: cluster.api(), logger, writesStatus: () => false, kyvernoPolicies: true });
  await withKyverno.start(5_000);
  expect(cluster.double.requests.some((r) => r.startsWith('GET /apis/kyverno.io/v1/clusterpolicies'))).toBe(true);
  // The same policy read twice (ours and Kyverno's) is parsed the same way.
  const parsed = parsePolicies([{ origin: 'x', text: kyvernoText }]);
  expect(withKyverno.policies().filter((p) => p.name === 'check-image-notary')).toHaveLength(parsed.issues.some((i) => i.severity === 'error') ? 0 : 2);
  await withKyverno.stop();
});
