// Serving TLS: a generated self-signed CA + serving pair (kept across restarts), or given cert/key files.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type ServiceOptions } from '../../src/service/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
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

const base = (): ServiceOptions => ({
  configDir: config.dir,
  bindAddress: '127.0.0.1:0',
  metricsBindAddress: '0',
  healthProbeBindAddress: '0',
  defaultTrustPolicy: 'tp-tls',
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
  const first = await startService({ ...base(), certDir, serviceName: 'svc', namespace: 'kyverno-notation-aws' });
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
  const second = await startService({ ...base(), certDir, serviceName: 'svc', namespace: 'kyverno-notation-aws' });
  try {
    expect(await readFile(join(certDir, 'ca.crt'), 'utf8')).toBe(caPem);
    expect(await postTrusting(second.url, caPem)).toBe(200);
  } finally {
    await second.close();
  }
});

test('--tls-cert/--tls-key: the given pair is served', async () => {
  const service = await startService({ ...base(), tlsCertFile: join(certDir, 'tls.crt'), tlsKeyFile: join(certDir, 'tls.key') });
  try {
    expect(service.caCertPath).toBeUndefined();
    expect(await postTrusting(service.url, await readFile(join(certDir, 'ca.crt'), 'utf8'))).toBe(200);
  } finally {
    await service.close();
  }
});

test.each([
  [{ tlsCertFile: '/nonexistent/tls.crt' }, 'INVALID_OPTION', '--tls-cert and --tls-key go together'],
  [{ tlsCertFile: '/nonexistent/tls.crt', tlsKeyFile: '/nonexistent/tls.key' }, 'INVALID_TLS', 'cannot read the TLS certificate or key'],
])('bad TLS options are startup errors: %j', async (extra, code, message) => {
  await expect(startService({ ...base(), ...extra })).rejects.toMatchObject({ code, message: expect.stringContaining(message) });
});
