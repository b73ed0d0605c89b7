// Kubernetes mode end to end: two `serve` replicas against the API double and a real registry with basic auth; TLS from the leader's Secrets, token review, pull secrets, CRD edits, API outage.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signArtifact } from '../../src/notary/index.js';
import { pushImage, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { connect } from 'node:tls';
import { issueServingPair, startService, type RunningService } from '../../src/service/index.js';
import { E2E_CERT_PEM, trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { kyvernoContainer } from '../service/harness.js';
import { htpasswdAuthYaml, writeHtpasswd } from '../support/htpasswd.js';
import { COLLECTIONS } from '../support/k8s-double.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { waitFor } from '../support/ports.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { captureLogs, objectOf, startCluster, type CapturedLogger, type Cluster } from './cluster.js';

const NAMESPACE = 'kyverno-notation-aws';
const SERVICE_HOST = 'svc.kyverno-notation-aws.svc';
const USER = 'kyverno';
const PASSWORD = 'pull-SECRET-pass-7';
const ADMISSION = 'system:serviceaccount:kyverno:kyverno-admission-controller';
const TOKENS = {
  kyverno: 'tok-kyverno-SECRET-1111',
  stranger: 'tok-stranger-SECRET-2222',
  otherAudience: 'tok-audience-SECRET-3333',
  unknown: 'tok-unknown-SECRET-4444',
};

let cluster: Cluster;
let registry: RegistryServer;
let work: string;
let rootPem: string;
const replicas: { service: RunningService; logs: CapturedLogger }[] = [];
let agent: Agent;

function dockerConfigJson(password: string): string {
  return JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } });
}

function pullSecret(type: 'kubernetes.io/dockerconfigjson' | 'kubernetes.io/dockercfg', password: string) {
  const key = type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
  const text = type === 'kubernetes.io/dockercfg' ? JSON.stringify(JSON.parse(dockerConfigJson(password)).auths) : dockerConfigJson(password);
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type, data: { [key]: Buffer.from(text).toString('base64') } };
}

async function check(replica: number, token: string | undefined, header?: string) {
  const authorization = header ?? (token === undefined ? undefined : `Bearer ${token}`);
  const response = await undiciFetch(`${replicas[replica]!.service.url}/checkimages`, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ images: { containers: { app: kyvernoContainer(registry.host, 'private/app', 'v1') } }, trustPolicy: 'tp' }),
  });
  return { status: response.status, text: await response.text() };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-k8s-service-'));
  await writeHtpasswd(join(work, 'htpasswd'), { [USER]: PASSWORD });
  const [started, chain, k8s] = await Promise.all([
    startRegistry({ authYaml: htpasswdAuthYaml(join(work, 'htpasswd')) }),
    generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'k8s-service-leaf') } }),
    startCluster(),
  ]);
  registry = started;
  cluster = k8s;
  rootPem = chain.root.pem;
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: USER, password: PASSWORD }) });
  try {
    const store = client.repository(registry.host, 'private/app');
    await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode('k8s mode')] });
    await signArtifact(store, 'v1', { key: chain.leaf.privateKey, certificateChain: chain.chain });
  } finally {
    await client.close();
  }

  const { double } = cluster;
  double.upsert(COLLECTIONS.trustStores, objectOf(trustStoreYaml({ name: 'tp-ts', pem: rootPem })));
  double.upsert(COLLECTIONS.trustPolicies, objectOf(trustPolicyYaml({ name: 'tp' })));
  double.upsert(COLLECTIONS.secrets(NAMESPACE), pullSecret('kubernetes.io/dockerconfigjson', 'wrong-password') as never);
  double.tokens.set(TOKENS.kyverno, { username: ADMISSION, audiences: ['imgverify'] });
  double.tokens.set(TOKENS.stranger, { username: 'system:serviceaccount:default:someone', audiences: ['imgverify'] });
  double.tokens.set(TOKENS.otherAudience, { username: ADMISSION });

  for (const name of ['replica-a', 'replica-b']) {
    const logs = captureLogs();
    const service = await startService({
      kubernetes: {
        local: true,
        kubeconfigPath: cluster.kubeconfig,
        leaderElect: true,
        leaseDurationMs: 1_000,
        renewDeadlineMs: 700,
        retryPeriodMs: 150,
        tokenAudiences: ['imgverify'],
        identity: name,
        startTimeoutMs: 5_000,
        retryMinMs: 50,
        namespace: NAMESPACE,
      },
      config: {},
      registry: { imagePullSecrets: ['regcred'] },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '127.0.0.1:0' },
      cache: { enabled: false },
      processMetrics: false,
      logger: logs.logger,
    });
    replicas.push({ service, logs });
  }
  const caSecret = double.get(COLLECTIONS.secrets(NAMESPACE), `${SERVICE_HOST}.tls-ca`);
  const ca = Buffer.from((caSecret?.data as Record<string, string>)['tls.crt']!, 'base64').toString('utf8');
  agent = new Agent({ connect: { ca, servername: SERVICE_HOST } });
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.service.close()));
  await agent?.close();
  await Promise.all([registry?.stop(), cluster?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('two replicas in Kubernetes mode', () => {
  test('both serve HTTPS with the pair the leader put in the Secret (created once)', async () => {
    const posts = cluster.double.requests.filter((r) => r.startsWith(`POST /api/v1/namespaces/${NAMESPACE}/secrets`));
    expect(posts).toHaveLength(2);
    expect(cluster.double.get(COLLECTIONS.leases(NAMESPACE), 'kyverno-notation-aws')?.spec).toMatchObject({ holderIdentity: expect.stringMatching(/^replica-a_/) });
  });

  test('a rotated pair in the Secret is what both replicas serve to new connections', async () => {
    const secrets = COLLECTIONS.secrets(NAMESPACE);
    const data = (name: string) => cluster.double.get(secrets, name)?.data as Record<string, string>;
    const decode = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');
    const ca = { cert: decode(data(`${SERVICE_HOST}.tls-ca`)['tls.crt']), key: decode(data(`${SERVICE_HOST}.tls-ca`)['tls.key']) };
    const rotated = await issueServingPair(ca, [SERVICE_HOST], new Date());
    const pair = cluster.double.get(secrets, `${SERVICE_HOST}.tls-pair`);
    cluster.double.upsert(secrets, { ...pair!, data: { 'tls.crt': Buffer.from(rotated.cert).toString('base64'), 'tls.key': Buffer.from(rotated.key).toString('base64') } });
    const served = (replica: number) =>
      new Promise<string>((resolve, reject) => {
        const url = new URL(replicas[replica]!.service.url);
        const socket = connect({ host: url.hostname, port: Number(url.port), ca: ca.cert, servername: SERVICE_HOST }, () => {
          resolve(socket.getPeerX509Certificate()?.toString() ?? '');
          socket.end();
        });
        socket.once('error', reject);
      });
    await waitFor(async () => (await served(0)).trim() === rotated.cert.trim(), 3_000, 'replica a to serve the rotated pair');
    await waitFor(async () => (await served(1)).trim() === rotated.cert.trim(), 3_000, 'replica b to serve the rotated pair');
  });

  test('pull secret change picked up: wrong password, then the fixed (legacy dockercfg) Secret', async () => {
    const denied = await check(0, TOKENS.kyverno);
    expect(denied.status).not.toBe(200);
    cluster.double.upsert(COLLECTIONS.secrets(NAMESPACE), pullSecret('kubernetes.io/dockercfg', PASSWORD) as never);
    // The first request after the change may still present the rejected credentials: a rejection drops them, the next reads the Secret.
    await waitFor(async () => (await check(0, TOKENS.kyverno)).status === 200 && (await check(1, TOKENS.kyverno)).status === 200, 5_000, 'both replicas to use the new pull secret');
  });

  test.each([
    { name: 'allowed', header: `Bearer ${TOKENS.kyverno}`, status: 200, text: '"verified": true' },
    { name: 'user not allowed', header: `Bearer ${TOKENS.stranger}`, status: 406, text: 'Token is not authorized\n' },
    { name: 'wrong audience', header: `Bearer ${TOKENS.otherAudience}`, status: 406, text: 'Token is not authorized\n' },
    { name: 'unknown token', header: `Bearer ${TOKENS.unknown}`, status: 406, text: 'Token is not authorized\n' },
    { name: 'malformed header', header: `Token ${TOKENS.kyverno}`, status: 406, text: 'Token is not authorized\n' },
    { name: 'missing header', header: undefined, status: 401, text: 'Authorization header not supplied\n' },
  ])('token $name → $status', async ({ header, status, text }) => {
    const answer = header === undefined ? await check(1, undefined) : await check(1, undefined, header);
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(text);
  });

  test('token reviews are cached by hash; tokens never reach logs', async () => {
    const reviews = () => cluster.double.requests.filter((r) => r.startsWith('POST /apis/authentication.k8s.io/v1/tokenreviews')).length;
    const before = reviews();
    expect((await check(1, TOKENS.kyverno)).status).toBe(200);
    expect((await check(1, TOKENS.kyverno)).status).toBe(200);
    expect(reviews()).toBe(before);
    const logs = replicas.flatMap((r) => r.logs.lines).join('\n');
    expect(logs).toContain('"msg":"checkimages"');
    for (const token of Object.values(TOKENS)) expect(logs).not.toContain(token);
    expect(logs).not.toContain(PASSWORD);
  });

  test('a CRD edit: the next request on each replica uses the new trust store', async () => {
    const hash = () => replicas.map((r) => r.service.config.current().trustStores.get('ca:tp-ts')?.contentHash);
    const original = hash();
    cluster.double.upsert(COLLECTIONS.trustStores, objectOf(trustStoreYaml({ name: 'tp-ts', pem: E2E_CERT_PEM })));
    await waitFor(async () => hash().every((h, i) => h !== original[i]), 5_000, 'the edit on both replicas');
    for (const replica of [0, 1]) {
      const answer = await check(replica, TOKENS.kyverno);
      expect(answer.status).toBe(406);
      expect(answer.text).toMatch(/^failed to verify container app: failed to verify image /);
    }
    cluster.double.upsert(COLLECTIONS.trustStores, objectOf(trustStoreYaml({ name: 'tp-ts', pem: rootPem })));
    await waitFor(async () => hash().every((h, i) => h === original[i]), 5_000, 'the revert');
    for (const replica of [0, 1]) expect((await check(replica, TOKENS.kyverno)).status).toBe(200);
  });

  test('API server down: requests still served with the last config, /readyz says so; back: warning gone', async () => {
    const readyz = async () => {
      const response = await fetch(`${replicas[0]!.service.healthUrl}/readyz`);
      return { status: response.status, text: await response.text() };
    };
    expect(await readyz()).toEqual({ status: 200, text: 'ok' });
    cluster.double.setDown(true);
    await waitFor(async () => (await readyz()).text.includes('warning: Kubernetes API unreachable'), 3_000, 'the readiness warning');
    expect((await readyz()).status).toBe(200);
    expect((await check(0, TOKENS.kyverno)).status).toBe(200); // token review answered from its cache
    cluster.double.setDown(false);
    await waitFor(async () => (await readyz()).text === 'ok', 5_000, 'the warning to clear');
  });
});
