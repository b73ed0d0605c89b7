// A trust policy that changes its verdict under load (issue 14): the policy flips between a trusted identity that
// matches the signer and one that does not while autocannon keeps /checkimages busy — as a file rewritten on disk,
// and as a TrustPolicy CRD edited through the Kubernetes API double (whose service also gets its TLS pair rotated
// in the Secret mid-run). Every answer is correlated with its per-image log lines (unique container names per
// request), which name the policy generation: both images of a request were decided under one generation, the
// answer is the one that generation owes (200 with the signed digests, or 406), never a 200 under a denying one.
// Nothing is dropped: no error, no timeout, every request answered; new connections see the rotated certificate.
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import autocannon, { type Options, type Result } from 'autocannon';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConfigSnapshot } from '../../src/config/index.js';
import { issueServingPair, startService, type RunningService } from '../../src/service/index.js';
import { objectOf, startCluster, captureLogs, type CapturedLogger, type Cluster } from '../kube/cluster.js';
import { trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { createTrustConfigDir, kyvernoContainer, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from '../service/harness.js';
import { COLLECTIONS } from '../support/k8s-double.js';
import { waitFor } from '../support/ports.js';

const SECONDS = 5;
const CONNECTIONS = 6;
/** Paced: enough answers on each side of every flip, without starving the suite's other files of CPU. */
const RATE = 80;
const FLIP_EVERY_MS = 300;
const SIGNER = 'x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify service test signer';
const STRANGER = 'x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=somebody else';
const IMAGES = ['flip/one', 'flip/two'] as const;
const NAMESPACE = 'kyverno-notation-aws';
const SERVICE_HOST = 'svc.kyverno-notation-aws.svc';

let signed: SignedRegistry;
const digests = new Map<string, string>();

beforeAll(async () => {
  signed = await startSignedRegistry();
  for (const repository of IMAGES) {
    const { digest } = await signed.push(repository, 'v1', `${repository} of the policy flip suite`);
    await signed.sign(repository, digest);
    digests.set(repository, digest);
  }
}, 60_000);

afterAll(async () => {
  await signed?.stop();
});

/** Which generations of trust policy `name` trust the signer: recorded from every snapshot the service loads. */
function watchGenerations(service: RunningService, name: string): Map<number, boolean> {
  const allows = new Map<number, boolean>();
  const record = (snapshot: ConfigSnapshot) => {
    const entry = snapshot.trustPolicies.get(name);
    if (entry) allows.set(entry.generation, entry.document.trustPolicies[0]?.trustedIdentities?.includes(SIGNER) === true);
  };
  record(service.config.current());
  service.config.subscribe((event) => record(event.snapshot));
  return allows;
}

interface Answer {
  n: number;
  status: number;
  body: string;
}

/** autocannon against /checkimages, each request with two containers named after its sequence number. */
async function load(url: string, trustPolicy: string | undefined, extra: Partial<Options> = {}): Promise<{ result: Result; answers: Answer[]; sent: number }> {
  const answers: Answer[] = [];
  let sent = 0;
  const result = await new Promise<Result>((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: SECONDS,
        overallRate: RATE,
        timeout: 20,
        ...extra,
        requests: [
          {
            method: 'POST',
            path: '/checkimages',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request, context) => {
              const n = ++sent;
              context.n = n;
              const containers = Object.fromEntries(IMAGES.map((repository, i) => [`c${n}-${i}`, kyvernoContainer(signed.registry.host, repository, 'v1', `/spec/containers/${i}/image`)]));
              return { ...request, body: JSON.stringify({ images: { containers }, ...(trustPolicy ? { trustPolicy } : {}) }) };
            },
            onResponse: (status, body, context) => void answers.push({ n: Number(context.n), status, body }),
          },
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
  });
  return { result, answers, sent };
}

/** Each answer against the log lines of its two images and the generations' contents; returns the tally. */
function judge(answers: readonly Answer[], logs: CapturedLogger, allows: ReadonlyMap<number, boolean>) {
  const byContainer = new Map<string, Record<string, unknown>>();
  for (const record of logs.records()) if (record.msg === 'image') byContainer.set(String(record.container), record);
  const tally = { allowed: 0, denied: 0, mixed: 0, unknownGeneration: 0, wrong: [] as string[], unverifiedPasses: 0, generations: new Set<number>() };
  for (const { n, status, body } of answers) {
    const lines = IMAGES.map((_, i) => byContainer.get(`c${n}-${i}`));
    const generations = new Set(lines.map((line) => line?.generation as number | undefined));
    if (generations.size !== 1 || generations.has(undefined)) {
      tally.mixed += 1;
      continue;
    }
    const generation = [...generations][0] as number;
    tally.generations.add(generation);
    const allowing = allows.get(generation);
    if (allowing === undefined) {
      tally.unknownGeneration += 1;
      continue;
    }
    if (allowing) tally.allowed += 1;
    else tally.denied += 1;
    if (status === 200) {
      const pinned = (JSON.parse(body) as { results: Array<{ value: string }> }).results.map((result) => result.value);
      const owed = IMAGES.map((repository) => `${signed.registry.host}/${repository}@${digests.get(repository)}`);
      if (!allowing || JSON.stringify(pinned) !== JSON.stringify(owed)) tally.unverifiedPasses += 1;
    }
    const verdicts = lines.map((line) => line?.verdict);
    const owedVerdicts = allowing ? ['verified', 'verified'] : ['failed', 'failed'];
    if (status !== (allowing ? 200 : 406) || JSON.stringify(verdicts) !== JSON.stringify(owedVerdicts)) tally.wrong.push(`#${n} generation ${generation}: ${status} ${verdicts.join(',')} ${body.slice(0, 200)}`);
    if (!allowing && lines.some((line) => line?.code !== 'UNTRUSTED_IDENTITY')) tally.wrong.push(`#${n}: codes ${lines.map((line) => String(line?.code)).join(',')}`);
  }
  return tally;
}

function expectConsistent(source: string, report: ReturnType<typeof judge>, run: { result: Result; answers: Answer[]; sent: number }, flips: number): void {
  console.log(JSON.stringify({ suite: 'policy-reload', source, requests: run.result.requests.total, answers: run.answers.length, flips, ...report, wrong: report.wrong.length, generations: report.generations.size, p50Ms: run.result.latency.p50, p99Ms: run.result.latency.p99 }));
  expect(report.wrong.slice(0, 5)).toEqual([]);
  expect({ errors: run.result.errors, timeouts: run.result.timeouts, mixed: report.mixed, unknownGeneration: report.unknownGeneration, unverifiedPasses: report.unverifiedPasses }).toEqual({
    errors: 0,
    timeouts: 0,
    mixed: 0,
    unknownGeneration: 0,
    unverifiedPasses: 0,
  });
  // Both kinds of generation answered, across several of them: the flips happened under load.
  expect(report.allowed).toBeGreaterThan(0);
  expect(report.denied).toBeGreaterThan(0);
  expect(report.generations.size).toBeGreaterThan(3);
}

describe('a verdict-changing trust policy flips under load: every answer is one generation', () => {
  test(`the policy file rewritten every ${FLIP_EVERY_MS} ms for ${SECONDS} s`, async () => {
    const config: TrustConfigDir = await createTrustConfigDir('tp-flip', signed.chain.root.pem);
    await config.writePolicy({ name: 'tp-flip', trustedIdentities: [SIGNER] });
    const logs = captureLogs();
    const service = await startService({
      config: { dir: config.dir, defaultTrustPolicy: 'tp-flip' },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      logger: logs.logger,
      processMetrics: false,
    });
    try {
      const allows = watchGenerations(service, 'tp-flip');
      let flips = 0;
      // One write at a time, all finished before the folder is removed (an overlapping or late rename failed with ENOENT).
      let writing = Promise.resolve();
      const timer = setInterval(() => {
        flips += 1;
        const identity = flips % 2 === 1 ? STRANGER : SIGNER;
        writing = writing.then(() => config.writePolicy({ name: 'tp-flip', trustedIdentities: [identity] }));
      }, FLIP_EVERY_MS);
      const run = await load(service.url, undefined).finally(() => clearInterval(timer));
      await writing;
      await waitFor(async () => service.cache.inFlight === 0, 5000, 'the last verifications to end');
      expectConsistent('file', judge(run.answers, logs, allows), run, flips);
    } finally {
      await service.close();
      await config.remove();
    }
  }, 60_000);

  test(`the TrustPolicy CRD edited every ${FLIP_EVERY_MS} ms for ${SECONDS} s, and the TLS pair rotated in its Secret mid-run, over keep-alive HTTPS`, async () => {
    const cluster: Cluster = await startCluster();
    const { double } = cluster;
    double.upsert(COLLECTIONS.trustStores, objectOf(trustStoreYaml({ name: 'tp-ts', pem: signed.chain.root.pem })));
    const policy = (identity: string) => objectOf(trustPolicyYaml({ name: 'tp', trustedIdentities: [identity] }));
    double.upsert(COLLECTIONS.trustPolicies, policy(SIGNER));
    const logs = captureLogs();
    const service = await startService({
      kubernetes: { local: true, kubeconfigPath: cluster.kubeconfig, leaderElect: true, identity: 'flip', startTimeoutMs: 5_000, retryMinMs: 50, namespace: NAMESPACE },
      config: {},
      auth: { reviewKyvernoToken: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      logger: logs.logger,
      processMetrics: false,
    });
    try {
      const secrets = COLLECTIONS.secrets(NAMESPACE);
      const decode = (text: string | undefined) => Buffer.from(text ?? '', 'base64').toString('utf8');
      const secretData = (name: string) => double.get(secrets, name)?.data as Record<string, string>;
      const ca = { cert: decode(secretData(`${SERVICE_HOST}.tls-ca`)['tls.crt']), key: decode(secretData(`${SERVICE_HOST}.tls-ca`)['tls.key']) };
      const port = Number(new URL(service.url).port);
      /** The serial of the certificate a new connection is served (verified against the CA, for the Service name). */
      const served = () =>
        new Promise<string>((resolve, reject) => {
          const socket = connect({ host: '127.0.0.1', port, ca: ca.cert, servername: SERVICE_HOST }, () => {
            resolve(socket.getPeerCertificate().serialNumber);
            socket.end();
          });
          socket.once('error', reject);
        });
      const before = await served();
      const rotated = await issueServingPair(ca, [SERVICE_HOST], new Date());

      const allows = watchGenerations(service, 'tp');
      let flips = 0;
      let rotatedAt = 0;
      const started = Date.now();
      const timer = setInterval(() => {
        flips += 1;
        double.upsert(COLLECTIONS.trustPolicies, policy(flips % 2 === 1 ? STRANGER : SIGNER));
        if (!rotatedAt && Date.now() - started >= (SECONDS * 1000) / 2) {
          rotatedAt = Date.now();
          const pair = double.get(secrets, `${SERVICE_HOST}.tls-pair`);
          double.upsert(secrets, { ...pair!, data: { 'tls.crt': Buffer.from(rotated.cert).toString('base64'), 'tls.key': Buffer.from(rotated.key).toString('base64') } });
        }
      }, FLIP_EVERY_MS);
      const run = await load(service.url, 'tp', { servername: SERVICE_HOST, tlsOptions: { ca: ca.cert } }).finally(() => clearInterval(timer));
      await waitFor(async () => service.cache.inFlight === 0, 5000, 'the last verifications to end');
      expect(rotatedAt).toBeGreaterThan(0);
      // The keep-alive connections opened before the rotation carried the whole run: every request was answered.
      expect(run.answers.length).toBe(run.result.requests.total);
      expect(run.result.non2xx + (run.answers.filter((a) => a.status === 200).length)).toBe(run.answers.length);
      expectConsistent('crd', judge(run.answers, logs, allows), run, flips);
      // New connections get the rotated pair.
      const after = await served();
      expect(after).not.toBe(before);
      expect(after).toBe(new X509Certificate(rotated.cert).serialNumber);
    } finally {
      await service.close();
      await cluster.stop();
    }
  }, 60_000);
});
