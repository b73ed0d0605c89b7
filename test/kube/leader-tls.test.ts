// Leader election and the TLS Secrets against the Kubernetes API double: one leader, the Secret pair created once, rotation near expiry, failover.
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LeaderElector, TlsSecrets, type CertificateIssuer, type KubernetesApi, type PemPair } from '../../src/kube/index.js';
import { issueServingCa, issueServingPair, TLS_RENEW_BEFORE_MS } from '../../src/service/index.js';
import { COLLECTIONS } from '../support/k8s-double.js';
import { waitFor } from '../support/ports.js';
import { captureLogs, startCluster, type Cluster } from './cluster.js';

const NAMESPACE = 'kyverno-notation-aws';
const HOSTS = ['svc', 'svc.kyverno-notation-aws', 'svc.kyverno-notation-aws.svc', 'svc.kyverno-notation-aws.svc.cluster.local'];
const DAY_MS = 24 * 3600 * 1000;
const issuer: CertificateIssuer = { issueCa: issueServingCa, issueServing: issueServingPair };

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

interface Replica {
  name: string;
  elector: LeaderElector;
  tls: TlsSecrets;
  served: PemPair[];
  clock: { now: number };
}

function replica(name: string, api: KubernetesApi): Replica {
  const { logger } = captureLogs();
  const clock = { now: Date.now() };
  const tls = new TlsSecrets({ api, namespace: NAMESPACE, serviceName: 'svc', hosts: HOSTS, issuer, renewBeforeMs: TLS_RENEW_BEFORE_MS, logger, checkIntervalMs: 100, retryMinMs: 50, now: () => new Date(clock.now) });
  const served: PemPair[] = [];
  tls.subscribe((pair) => served.push(pair));
  const elector = new LeaderElector({
    api,
    namespace: NAMESPACE,
    identity: name,
    leaseDurationMs: 1_000,
    renewDeadlineMs: 700,
    retryPeriodMs: 150,
    logger,
    onStartedLeading: (signal) => tls.runAsLeader(signal),
  });
  return { name, elector, tls, served, clock };
}

const secretWrites = (verb: 'POST' | 'PUT') => cluster.double.requests.filter((r) => r.startsWith(`${verb} /api/v1/namespaces/${NAMESPACE}/secrets`)).length;

test('two replicas: one leader, the CA and pair created once and served by both, rotated near expiry, failover when the leader stops renewing', async () => {
  const [a, b] = [replica('replica-a', await cluster.apiWithToken('token-a')), replica('replica-b', await cluster.apiWithToken('token-b'))];
  await Promise.all([a.tls.follow(2_000), b.tls.follow(2_000)]);
  a.elector.start();
  b.elector.start();
  await waitFor(async () => a.served.length === 1 && b.served.length === 1, 8_000, 'both replicas to serve the pair');
  expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
  const [leader, follower] = a.elector.isLeader ? [a, b] : [b, a];
  await new Promise((r) => setTimeout(r, 400)); // a few more reconcile rounds
  expect(secretWrites('POST')).toBe(2);
  expect(secretWrites('PUT')).toBe(0);
  expect(a.served[0]).toEqual(b.served[0]);

  // The peer's names, type and keys; the pair chains to the CA and names the Service.
  const caSecret = cluster.double.get(COLLECTIONS.secrets(NAMESPACE), 'svc.kyverno-notation-aws.svc.tls-ca');
  const pairSecret = cluster.double.get(COLLECTIONS.secrets(NAMESPACE), 'svc.kyverno-notation-aws.svc.tls-pair');
  expect(caSecret?.type).toBe('kubernetes.io/tls');
  expect(Object.keys(pairSecret?.data as object).sort()).toEqual(['tls.crt', 'tls.key']);
  const ca = new X509Certificate(Buffer.from((caSecret?.data as Record<string, string>)['tls.crt']!, 'base64'));
  const pair = new X509Certificate(Buffer.from((pairSecret?.data as Record<string, string>)['tls.crt']!, 'base64'));
  expect(pair.checkIssued(ca) && pair.verify(ca.publicKey)).toBe(true);
  expect(pair.subjectAltName).toBe(HOSTS.map((h) => `DNS:${h}`).join(', '));
  expect(Math.round((Date.parse(ca.validTo) - Date.now()) / DAY_MS)).toBe(365);
  expect(Math.round((Date.parse(pair.validTo) - Date.now()) / DAY_MS)).toBe(150);

  // 61 h before expiry: nothing to do; 59 h before: the leader rotates the pair (not the CA), every replica serves the new one.
  leader.clock.now = Date.parse(pair.validTo) - 61 * 3600 * 1000;
  await new Promise((r) => setTimeout(r, 300));
  expect(secretWrites('PUT')).toBe(0);
  leader.clock.now = Date.parse(pair.validTo) - 59 * 3600 * 1000;
  await waitFor(async () => a.served.length === 2 && b.served.length === 2, 8_000, 'the rotated pair on both replicas');
  expect(secretWrites('PUT')).toBe(1);
  const rotated = new X509Certificate(a.served[1]!.cert);
  expect(rotated.checkIssued(ca)).toBe(true);
  expect(rotated.serialNumber).not.toBe(pair.serialNumber);

  // The leader stops renewing (its API access is cut): it gives up leadership and certificate work, the other takes over.
  cluster.double.clientTokens.delete(leader === a ? 'token-a' : 'token-b');
  await waitFor(async () => follower.elector.isLeader && !leader.elector.isLeader, 15_000, 'failover'); // ~1.2 s when idle; generous for a loaded CI machine
  const lease = cluster.double.get(COLLECTIONS.leases(NAMESPACE), 'kyverno-notation-aws');
  expect(lease?.spec).toMatchObject({ holderIdentity: follower.name, leaseTransitions: 1, leaseDurationSeconds: 1 });
  await new Promise((r) => setTimeout(r, 300));
  expect([secretWrites('POST'), secretWrites('PUT')]).toEqual([2, 1]); // the new leader found valid Secrets
  expect(leader.served).toHaveLength(2); // the old leader still serves the current pair

  await Promise.all([a.elector.stop(), b.elector.stop(), a.tls.stop(), b.tls.stop()]);
  expect(cluster.double.get(COLLECTIONS.leases(NAMESPACE), 'kyverno-notation-aws')?.spec).toMatchObject({ holderIdentity: '' });
});

test('a stale write loses: the Lease update carries the resourceVersion read (409 Conflict)', async () => {
  const api = cluster.api();
  const lease = await api.coordination.readNamespacedLease({ name: 'kyverno-notation-aws', namespace: NAMESPACE });
  cluster.double.upsert(COLLECTIONS.leases(NAMESPACE), { ...lease, metadata: { ...lease.metadata, name: 'kyverno-notation-aws' } } as never);
  await expect(api.coordination.replaceNamespacedLease({ name: 'kyverno-notation-aws', namespace: NAMESPACE, body: lease })).rejects.toMatchObject({ code: 409 });
});
