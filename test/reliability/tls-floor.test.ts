// The API's TLS floor (issue 14): TLS 1.0 and 1.1 are refused, so are clients that offer only weak ciphers; TLS 1.2
// and 1.3 are served with forward-secret AEAD ciphers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { createTrustConfigDir, type TrustConfigDir } from '../service/harness.js';

let config: TrustConfigDir;
let certDir: string;
let service: RunningService;
let port: number;

beforeAll(async () => {
  config = await createTrustConfigDir('tp-tls', '');
  certDir = await mkdtemp(join(tmpdir(), 'imgverify-tls-floor-'));
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-tls' },
    tls: { certDir },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logLevel: 'silent',
    processMetrics: false,
  });
  port = Number(new URL(service.url).port);
}, 60_000);

afterAll(async () => {
  await service?.close();
  await config?.remove();
  if (certDir) await rm(certDir, { recursive: true, force: true });
});

/** The negotiated protocol and cipher, or the handshake's error code. */
function handshake(options: { minVersion?: SecureVersion; maxVersion?: SecureVersion; ciphers?: string }): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: service.caCert, rejectUnauthorized: false, ...options }, () => {
      resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

test.each([
  ['TLS 1.0', { minVersion: 'TLSv1' as const, maxVersion: 'TLSv1' as const, ciphers: 'DEFAULT@SECLEVEL=0' }],
  ['TLS 1.1', { minVersion: 'TLSv1.1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT@SECLEVEL=0' }],
  ['TLS 1.2 with only CBC ciphers without forward secrecy', { maxVersion: 'TLSv1.2' as const, ciphers: 'AES128-SHA:AES256-SHA:DES-CBC3-SHA@SECLEVEL=0' }],
  ['TLS 1.2 with only RC4 and NULL ciphers', { maxVersion: 'TLSv1.2' as const, ciphers: 'RC4-SHA:NULL-SHA256@SECLEVEL=0' }],
])('%s: refused', async (_name, options) => {
  expect(await handshake(options)).toMatch(/^ERR_SSL_|^ECONNRESET$/);
});

test('TLS 1.2 and 1.3 clients get forward-secret AEAD ciphers', async () => {
  expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
  expect(await handshake({ minVersion: 'TLSv1.3' })).toMatch(/^TLSv1\.3 TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
});
