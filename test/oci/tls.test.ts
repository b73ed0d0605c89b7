// TLS registries: certificate verification by default, `insecure` (globally, per registry, CLI
// --insecure) for self-signed test registries, and plain HTTP against TLS refused.
import { webcrypto } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runManifestFetch } from '../../src/cli/commands/manifest.js';
import { registryClientFromOptions } from '../../src/cli/options.js';
import { WARM_UP_REQUESTS } from '../../src/oci/constants.js';
import { OciError, pushImage, RegistryClient, type RegistryClientOptions } from '../../src/oci/index.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

let work: string;
let registry: RegistryServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-tls-'));
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'CN=127.0.0.1',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 3600_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const certificatePath = join(work, 'registry.crt');
  const keyPath = join(work, 'registry.key');
  await writeFile(certificatePath, certificate.toString('pem') + '\n');
  await writeFile(keyPath, `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`);
  registry = await startRegistry({ tls: { certificatePath, keyPath } });
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

async function resolveWith(options: RegistryClientOptions): Promise<string> {
  const client = new RegistryClient({ retry: { maxRetries: 0 }, ...options });
  try {
    const repo = client.repository(registry.host, 'tls/app');
    await pushImage(repo, { tag: 'v1', layers: [new TextEncoder().encode('over tls')] });
    return (await repo.resolve('v1')).digest;
  } catch (err) {
    if (err instanceof OciError) return `${err.code}: ${err.message}`;
    throw err;
  } finally {
    await client.close();
  }
}

test.each([
  { name: 'verified TLS (default) refuses the self-signed certificate', options: {}, expected: /^REGISTRY_UNAVAILABLE: .*TLS failed .*--insecure/ },
  { name: 'insecure for every registry', options: { insecure: true }, expected: /^sha256:/ },
  { name: 'insecure set for another registry does not apply here', options: { registries: { '127.0.0.1:1': { insecure: true } } }, expected: /^REGISTRY_UNAVAILABLE/ },
  { name: 'plain HTTP to a TLS registry', options: { plainHttp: true }, expected: /^(REGISTRY_UNAVAILABLE|REGISTRY_ERROR)/ },
])('$name', async ({ options, expected }) => {
  expect(await resolveWith(options)).toMatch(expected);
});

test('per-registry insecure applies to that registry', async () => {
  expect(await resolveWith({ registries: { [registry.host]: { insecure: true } } })).toMatch(/^sha256:/);
});

test('CLI --insecure', async () => {
  let stdout = '';
  let stderr = '';
  const output = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
  const client = registryClientFromOptions({ insecure: true });
  try {
    expect(await runManifestFetch(`${registry.host}/tls/app:v1`, { output: 'text' }, { client, output })).toBe(0);
    expect(stdout).toMatch(/^Reference: {4}127\.0\.0\.1:\d+\/tls\/app@sha256:/);
  } finally {
    await client.close();
  }
  const strict = registryClientFromOptions({});
  try {
    expect(await runManifestFetch(`${registry.host}/tls/app:v1`, { output: 'text' }, { client: strict, output })).toBe(3);
    expect(stderr).toMatch(/TLS failed/);
  } finally {
    await strict.close();
  }
});

test('HTTP/2 to a TLS registry: every request over h2, a burst of 20 shares the connections the warm-up opened (counted at the server)', async () => {
  const opened: Array<string | false> = [];
  const onConnected = (message: unknown) => {
    const socket = (message as { socket?: { alpnProtocol?: string | false } }).socket;
    opened.push(socket?.alpnProtocol ?? false);
  };
  // A TCP pass-through in front of the registry: the connections it accepts are the ones the registry sees.
  let accepted = 0;
  const sockets = new Set<Socket>();
  const counter = createServer((socket) => {
    accepted += 1;
    const upstream = connect(Number(new URL(registry.url).port), '127.0.0.1');
    for (const end of [socket, upstream]) {
      sockets.add(end);
      end.on('error', () => undefined);
      end.once('close', () => sockets.delete(end));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(counter.address() as AddressInfo).port}`;
  const pusher = new RegistryClient({ insecure: true });
  const client = new RegistryClient({ insecure: true });
  try {
    const pushed = await pushImage(pusher.repository(registry.host, 'tls/h2'), { tag: 'v1', layers: [new TextEncoder().encode('over h2')] });
    subscribe('undici:client:connected', onConnected);
    const burst = async () => {
      const resolved = await Promise.all(Array.from({ length: 20 }, () => client.repository(host, 'tls/h2').resolve('v1')));
      expect(resolved.every((d) => d.digest === pushed.descriptor.digest)).toBe(true);
    };
    // A fresh registry: the warm-up's first requests (WARM_UP_REQUESTS) may each open one; the other 18 share them.
    await burst();
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(accepted).toBeLessThanOrEqual(WARM_UP_REQUESTS);
    const afterWarmUp = accepted;
    // Warm: 20 at once and a GET open nothing new (before: undici counted an h2 connection busy at one request).
    await burst();
    expect((await client.repository(host, 'tls/h2').fetchManifest('v1')).descriptor.digest).toBe(pushed.descriptor.digest);
    expect(accepted).toBe(afterWarmUp);
    expect(opened).toHaveLength(accepted);
    expect(opened.every((protocol) => protocol === 'h2')).toBe(true);
  } finally {
    unsubscribe('undici:client:connected', onConnected);
    await Promise.all([pusher.close(), client.close()]);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => counter.close(() => resolve()));
  }
});
