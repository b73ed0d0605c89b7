// Serving TLS: a generated self-signed CA + serving pair (kept across restarts), given cert/key files or a mounted pair (both followed); plain HTTP beside it; rotation before expiry.
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { pino } from 'pino';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DirectoryCertificateStore, startService, startTlsRotation, type ServiceOptions, type TlsOptions } from '../../src/service/index.js';
import { issueServingCa, issueServingPair } from '../../src/service/tls.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { waitFor } from '../support/ports.js';
import { createTrustConfigDir, kyvernoContainer, type TrustConfigDir } from './harness.js';

let config: TrustConfigDir;
let certDir: string;

beforeAll(async () => {
  config = await createTrustConfigDir('tp-tls', E2E_CERT_PEM);
  certDir = await mkdtemp(join(tmpdir(), 'imgverify-tls-'));
});
afterAll(async () => {
  await config?.remove();
  await rm(certDir, { recursive: true, force: true });
});

const base = (tls: TlsOptions = {}): ServiceOptions => ({
  config: { dir: config.dir, defaultTrustPolicy: 'tp-tls' },
  listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
  tls,
  logLevel: 'silent',
});

const body = JSON.stringify({ images: { containers: { c: kyvernoContainer('ghcr.io', 'org/app', 'v1') } }, imageReferences: ['none/*'] });

async function postTrusting(url: string, ca: string): Promise<number> {
  const dispatcher = new Agent({ connect: { ca } });
  try {
    const res = await undiciFetch(`${url}/checkimages`, { method: 'POST', body, dispatcher });
    await res.text();
    return res.status;
  } finally {
    await dispatcher.close();
  }
}

test('generated CA: HTTPS works for clients that trust the printed CA, and the pair survives a restart', async () => {
  const first = await startService(base({ certDir, serviceName: 'svc', namespace: 'kyverno-notation-aws' }));
  let caPem: string;
  try {
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(first.caCertPath).toBe(join(certDir, 'ca.crt'));
    caPem = await readFile(first.caCertPath as string, 'utf8');
    expect(await postTrusting(first.url, caPem)).toBe(200);
    await expect(undiciFetch(`${first.url}/checkimages`, { method: 'POST', body })).rejects.toThrow();

    const serving = new X509Certificate(await readFile(join(certDir, 'tls.crt')));
    expect(serving.subjectAltName).toContain('DNS:svc.kyverno-notation-aws.svc');
    expect(serving.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(serving.checkIssued(new X509Certificate(caPem))).toBe(true);
    const days = (Date.parse(serving.validTo) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(150);
  } finally {
    await first.close();
  }
  const second = await startService(base({ certDir, serviceName: 'svc', namespace: 'kyverno-notation-aws' }));
  try {
    expect(await readFile(join(certDir, 'ca.crt'), 'utf8')).toBe(caPem);
    expect(await postTrusting(second.url, caPem)).toBe(200);
  } finally {
    await second.close();
  }
});

test('--tls-cert/--tls-key: the given pair is served', async () => {
  const service = await startService(base({ certFile: join(certDir, 'tls.crt'), keyFile: join(certDir, 'tls.key') }));
  try {
    expect(service.caCertPath).toBeUndefined();
    expect(await postTrusting(service.url, await readFile(join(certDir, 'ca.crt'), 'utf8'))).toBe(200);
  } finally {
    await service.close();
  }
});

test('--tls-cert/--tls-key are followed: a pair replaced early is served on new connections, a half-replaced one is logged and the old kept', async () => {
  // The certificate and the key in two directories: both are watched.
  const root = await mkdtemp(join(tmpdir(), 'imgverify-tls-files-'));
  const certFile = join(root, 'certs', 'serving.pem');
  const keyFile = join(root, 'private', 'serving-key.pem');
  await Promise.all([mkdir(join(root, 'certs')), mkdir(join(root, 'private'))]);
  const replace = async (file: string, text: string) => {
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  };
  const now = new Date();
  const [caA, caB] = [await issueServingCa(now), await issueServingCa(now)];
  const [pairA, pairB] = [await issueServingPair(caA, ['127.0.0.1'], now), await issueServingPair(caB, ['127.0.0.1'], now)];
  await replace(certFile, pairA.cert);
  await replace(keyFile, pairA.key);
  const lines: { level: number; msg: string; store?: string; err?: { message: string } }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as (typeof lines)[number]);
      done();
    },
  });
  const service = await startService({ ...base({ certFile, keyFile }), logger: pino({ level: 'info' }, sink) });
  try {
    expect(await postTrusting(service.url, caA.cert)).toBe(200);
    // Far from its expiry: only following the files can serve the new pair.
    await replace(keyFile, pairB.key);
    await waitFor(async () => lines.some((line) => line.msg === 'cannot read the changed serving pair; the pair in use stays'), 5_000, 'the half-replaced pair logged');
    expect(lines.find((line) => line.level === 40)).toMatchObject({ store: `files:${certFile},${keyFile}`, err: { message: `${keyFile} is not the private key of the certificate in ${certFile}` } });
    expect(await postTrusting(service.url, caA.cert)).toBe(200);

    await replace(certFile, pairB.cert);
    await waitFor(async () => (await postTrusting(service.url, caB.cert).catch(() => 0)) === 200, 5_000, 'the replaced pair served');
    await expect(postTrusting(service.url, caA.cert)).rejects.toThrow();
    expect(lines.filter((line) => line.msg === 'renewed the serving certificate')).toHaveLength(1);
  } finally {
    await service.close();
    await rm(root, { recursive: true, force: true });
  }
});

test.each([
  [{ certFile: '/nonexistent/tls.crt' }, 'INVALID_OPTION', '--tls-cert and --tls-key go together'],
  [{ certFile: '/nonexistent/tls.crt', keyFile: '/nonexistent/tls.key' }, 'INVALID_TLS', 'cannot read the TLS certificate or key'],
])('bad TLS options are startup errors: %j', async (extra, code, message) => {
  await expect(startService(base(extra))).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
});

test('rotation: a pair near expiry is renewed from its store and served on new connections', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-rotation-'));
  const store = new DirectoryCertificateStore(dir, ['127.0.0.1']);
  const first = await store.load();
  const server = createHttpsServer({ key: first.key, cert: first.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const served = () =>
    new Promise<string>((resolve, reject) => {
      // The renewed pair is dated by the test's clock (days ahead), so only its serial is read here.
      const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.end();
      });
      socket.on('error', reject);
    });
  const days = (n: number) => new Date(Date.now() + n * 86_400_000);
  let clock = days(0);
  const rotation = startTlsRotation({ store, server, current: first, logger: pino({ level: 'silent' }), checkIntervalMs: 3_600_000, now: () => clock });
  try {
    const before = await served();
    await rotation.check();
    expect([rotation.current(), await served()]).toEqual([first, before]);

    clock = days(148); // inside the 60 h before the 150-day pair expires
    await rotation.check();
    expect(rotation.current().cert).not.toBe(first.cert);
    expect(rotation.current().caCert).toBe(first.caCert);
    const after = await served();
    expect(after).not.toBe(before);
    expect(after).toBe(new X509Certificate(rotation.current().cert).serialNumber);
  } finally {
    rotation.stop();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('--tls-dir: a mounted pair (cert-manager at /certs) is served, plain HTTP answers beside it, and a changed pair is served on new connections', async () => {
  const mount = await mkdtemp(join(tmpdir(), 'imgverify-certs-'));
  const now = new Date();
  const write = async (pair: { cert: string; key: string }) => {
    // As the kubelet swaps a Secret volume: whole files, renamed into place.
    for (const [file, text] of [['tls.key', pair.key], ['tls.crt', pair.cert]] as const) {
      await writeFile(join(mount, `.${file}.tmp`), text);
      await rename(join(mount, `.${file}.tmp`), join(mount, file));
    }
  };
  const caA = await issueServingCa(now);
  const caB = await issueServingCa(now);
  await write(await issueServingPair(caA, ['127.0.0.1'], now));
  const service = await startService({ ...base({ mountDir: mount, certDir }), listen: { api: '127.0.0.1:0', http: '127.0.0.1:0', metrics: '0', health: '0' } });
  try {
    expect(service.caCertPath).toBeUndefined();
    expect(await postTrusting(service.url, caA.cert)).toBe(200);
    expect(service.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const plain = await fetch(`${service.httpUrl}/checkimages`, { method: 'POST', body });
    expect([plain.status, JSON.parse(await plain.text())]).toEqual([200, { verified: true, message: 'verified 0 images with trust policy tp-tls; 1 not matched by imageReferences and not verified', results: [], digests: {} }]);

    await write(await issueServingPair(caB, ['127.0.0.1'], now));
    await waitFor(async () => (await postTrusting(service.url, caB.cert).catch(() => 0)) === 200, 5_000, 'the changed mounted pair served');
    await expect(postTrusting(service.url, caA.cert)).rejects.toThrow();
  } finally {
    await service.close();
    await rm(mount, { recursive: true, force: true });
  }
});

test('--tls-dir without both files: the generated pair, as before', async () => {
  const empty = await mkdtemp(join(tmpdir(), 'imgverify-certs-empty-'));
  const service = await startService(base({ mountDir: empty, certDir }));
  try {
    expect(service.caCertPath).toBe(join(certDir, 'ca.crt'));
    expect(service.httpUrl).toBeUndefined();
  } finally {
    await service.close();
    await rm(empty, { recursive: true, force: true });
  }
});

test('--tls-cert/--tls-key that do not belong together are a startup error naming both files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-tls-mismatch-'));
  const now = new Date();
  const [pairA, pairB] = [await issueServingPair(await issueServingCa(now), ['127.0.0.1'], now), await issueServingPair(await issueServingCa(now), ['127.0.0.1'], now)];
  try {
    await writeFile(join(dir, 'tls.crt'), pairA.cert);
    await writeFile(join(dir, 'tls.key'), pairB.key);
    await expect(startService(base({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }))).rejects.toMatchObject({
      code: 'INVALID_TLS',
      message: `${join(dir, 'tls.key')} is not the private key of the certificate in ${join(dir, 'tls.crt')}`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
