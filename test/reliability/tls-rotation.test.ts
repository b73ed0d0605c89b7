// Serving-certificate rotation under load (issue 14): the API listener (createApiApp, the one `serve` binds) serves a
// pair from PEM files (PemFilesCertificateStore, as --tls-cert/--tls-key) that nears its expiry; while autocannon keeps
// requesting over keep-alive connections the files are replaced (temp file + rename, as a mounted Secret or cert-manager does) and
// the rotation (src/service/tls-rotation.ts) swaps the new pair in. No connection is dropped, every request is
// answered, and new connections are served the new certificate.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import autocannon, { type Result } from 'autocannon';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import {
  createApiApp,
  DEFAULT_SERVER_TIMEOUTS,
  drainServer,
  issueServingCa,
  issueServingPair,
  listen,
  loadTlsFiles,
  PemFilesCertificateStore,
  startTlsRotation,
  urlHost,
} from '../../src/service/index.js';
import { waitFor } from '../support/ports.js';

const SECONDS = 3;
const CONNECTIONS = 6;
/** Paced, so the run does not starve the suite's other files (it measures the listener, not throughput). */
const RATE = 200;
/** The rotation's check interval here (the product checks hourly: it only matters how soon, not whether). */
const CHECK_EVERY_MS = 100;

test(`PEM files replaced mid-run under ${SECONDS} s of keep-alive load: no connection dropped, new connections get the new certificate`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-tls-rotation-'));
  // The pair served first is 148 days into its 150: inside the 60 h renewal window, as when cert-manager replaces it.
  const issuedEarlier = new Date(Date.now() - 148 * 86_400_000);
  const ca = await issueServingCa(issuedEarlier);
  const [first, second] = await Promise.all([issueServingPair(ca, ['127.0.0.1'], issuedEarlier), issueServingPair(ca, ['127.0.0.1'], new Date())]);
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  /** Replace both files as a mounted Secret is replaced: each written aside, then renamed over. */
  const install = async (pair: { cert: string; key: string }) => {
    await writeFile(join(dir, '.tls.key'), pair.key);
    await writeFile(join(dir, '.tls.crt'), pair.cert);
    await rename(join(dir, '.tls.key'), keyFile);
    await rename(join(dir, '.tls.crt'), certFile);
  };
  await install(first);
  const store = new PemFilesCertificateStore(certFile, keyFile);
  const current = await loadTlsFiles(certFile, keyFile);
  const { app, server } = createApiApp({ logger: pino({ level: 'silent' }), bodyLimit: 1024, timeouts: DEFAULT_SERVER_TIMEOUTS, tls: { key: current.key, cert: current.cert } });
  app.get('/healthz', async () => 'ok');
  await app.ready();
  const bound = await listen(server, { host: '127.0.0.1', port: 0 });
  const url = `https://${urlHost(bound)}`;
  const port = Number(new URL(url).port);
  // The product's renewal window (60 h): every check re-reads the files while the pair served is inside it.
  const rotation = startTlsRotation({ store, server: server as HttpsServer, current, logger: pino({ level: 'silent' }), checkIntervalMs: CHECK_EVERY_MS });
  /** The serial number of the certificate a new connection is served, verified against the CA. */
  const served = () =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.cert }, () => {
        resolve(socket.getPeerCertificate().serialNumber);
        socket.end();
      });
      socket.once('error', reject);
    });
  try {
    expect(await served()).toBe(new X509Certificate(first.cert).serialNumber);
    let answered = 0;
    const statuses: Record<number, number> = {};
    let replacedAt = 0;
    const replace = setTimeout(() => {
      replacedAt = performance.now();
      void install(second);
    }, (SECONDS * 1000) / 2);
    const result = await new Promise<Result>((resolve, reject) => {
      autocannon(
        {
          url,
          connections: CONNECTIONS,
          duration: SECONDS,
          timeout: 10,
          overallRate: RATE,
          tlsOptions: { ca: ca.cert },
          requests: [{ method: 'GET', path: '/healthz', onResponse: (status) => void ((statuses[status] = (statuses[status] ?? 0) + 1), (answered += 1)) }],
        },
        (err, res) => (err ? reject(err) : resolve(res)),
      );
    }).finally(() => clearTimeout(replace));
    console.log(JSON.stringify({ suite: 'tls-rotation', requests: result.requests.total, answered, statuses, errors: result.errors, timeouts: result.timeouts, p99Ms: result.latency.p99 }));
    expect(replacedAt).toBeGreaterThan(0);
    expect({ errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx }).toEqual({ errors: 0, timeouts: 0, non2xx: 0 });
    expect(answered).toBe(result.requests.total);
    expect(answered).toBeGreaterThan(RATE);
    // The rotation swapped the pair in, and a new connection is served the new certificate.
    await waitFor(async () => rotation.current().cert === second.cert, 2000, 'the rotation to load the replaced files');
    expect(await served()).toBe(new X509Certificate(second.cert).serialNumber);
  } finally {
    rotation.stop();
    await app.close();
    await drainServer(server);
    await rm(dir, { recursive: true, force: true });
  }
}, 30_000);
