// What an operator reads: one info line per image (digest, verdict, signer, cache, policy generation), registry calls at debug, and a registry metrics label a request cannot choose.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { createTrustConfigDir, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from './harness.js';

let signed: SignedRegistry;
let config: TrustConfigDir;
let service: RunningService;
let host: string;
let appDigest: string;
let unsignedDigest: string;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  signed = await startSignedRegistry();
  host = signed.registry.host;
  appDigest = (await signed.push('team/app', 'v1', 'app')).digest;
  await signed.sign('team/app', appDigest);
  unsignedDigest = (await signed.push('team/unsigned', 'v1', 'unsigned')).digest;
  config = await createTrustConfigDir('tp-ops', signed.chain.root.pem);
  // The scope names the registry as `host`; the same registry reached as localhost:<port> is not named.
  await config.writePolicy({ name: 'tp-ops', scopes: [`${host}/team/app`, `${host}/team/unsigned`] });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-ops' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '127.0.0.1:0', health: '0' },
    logger: pino({ level: 'debug' }, sink),
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await config?.remove();
});

const check = (registry: string, repository: string) => post(`${service.url}/checkimages`, { images: { containers: { c: kyvernoContainer(registry, repository, 'v1') } } });
const imageLines = () => lines.filter((line) => line.msg === 'image');

test('per image at info: reference, digest, verdict, the signature that passed, cache miss then hit, the policy and its generation', async () => {
  expect((await check(host, 'team/app')).status).toBe(200);
  expect((await check(host, 'team/app')).status).toBe(200);
  expect((await check(host, 'team/unsigned')).status).toBe(406);
  const [first, second, unsigned] = imageLines();
  const generation = service.config.current().trustPolicies.get('tp-ops')?.generation;
  expect(first).toMatchObject({
    level: 30,
    image: `${host}/team/app:v1`,
    container: 'c',
    digest: appDigest,
    verdict: 'verified',
    cache: 'miss',
    trustPolicy: 'tp-ops',
    generation,
    signature: { signer: signed.chain.leaf.certificate.subject },
  });
  expect((first?.signature as { digest: string }).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(second).toMatchObject({ digest: appDigest, verdict: 'verified', cache: 'hit', signature: first?.signature });
  expect(unsigned).toMatchObject({ image: `${host}/team/unsigned:v1`, digest: unsignedDigest, verdict: 'failed', code: 'SIGNATURE_NOT_FOUND', cache: 'miss' });
  expect(unsigned).not.toHaveProperty('signature');
  // Debug (pino's level 20): each registry call with its registry, operation and outcome.
  expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'registry call', registry: host, operation: 'resolve', outcome: 'ok' }));
  expect(lines).toContainEqual(expect.objectContaining({ level: 20, msg: 'registry call', registry: host, operation: 'referrers', outcome: 'ok' }));
});

test('the registry metrics label is a registry the config names, or "other": a request cannot mint label values', async () => {
  const port = host.slice(host.lastIndexOf(':') + 1);
  await check(`localhost:${port}`, 'team/app');
  const metrics = await (await fetch(service.metricsUrl as string)).text();
  expect(metrics).toContain(`imgverify_registry_requests_total{registry="${host}",operation="resolve",outcome="ok"}`);
  expect(metrics).toContain('imgverify_registry_requests_total{registry="other",operation="resolve",outcome="ok"} 1');
  expect(metrics).not.toContain('registry="localhost:');
  // The log still names the registry that was called.
  expect(lines).toContainEqual(expect.objectContaining({ msg: 'registry call', registry: `localhost:${port}`, operation: 'resolve' }));
});
