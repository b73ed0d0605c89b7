// Request and verification deadlines that survive garbage collection (issue 9 H1), against a registry double that trickles.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';
import { waitFor } from '../support/ports.js';
import { createTrustConfigDir, kyvernoContainer, post, type TrustConfigDir } from './harness.js';

// `--expose-gc` for this file only: the flag can be set at run time, and a fresh context then has `gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const REQUEST_TIMEOUT_MS = 1500;
/** The trickling registry sends one byte this often: always alive, never done. */
const TRICKLE_INTERVAL_MS = 2000;
/** How late after its deadline the 406 may arrive (scheduling on 2 shared cores, the response itself). */
const DEADLINE_SLACK_MS = 1000;

const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${'44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'}`, size: 2 },
    layers: [],
  }),
);
const MANIFEST_DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

/**
 * A registry double that answers the tag (HEAD/GET of the manifest) at once and then trickles
 * one byte every TRICKLE_INTERVAL_MS on every other request (referrers, tag schema, blobs), so
 * neither undici's idle timeouts nor the transport's own ever fire: only our deadlines can end it.
 */
async function startTricklingRegistryDouble(): Promise<HttpDoubleServer & { host: string; open: () => number }> {
  const trickling = new Set<ServerResponse>();
  const server = await listenHttpDouble((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path === '/v2/' || path === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
      return;
    }
    if (/^\/v2\/app\/manifests\/(v1|sha256:[0-9a-f]{64})$/.test(path)) {
      const headers = { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': MANIFEST.length, 'docker-content-digest': MANIFEST_DIGEST };
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': 1_000_000 });
    trickling.add(res);
    const timer = setInterval(() => res.write(' '), TRICKLE_INTERVAL_MS);
    res.on('close', () => {
      clearInterval(timer);
      trickling.delete(res);
    });
  });
  return { ...server, host: `127.0.0.1:${server.port}`, open: () => trickling.size };
}

let registry: Awaited<ReturnType<typeof startTricklingRegistryDouble>>;
let config: TrustConfigDir;
let service: RunningService;

beforeAll(async () => {
  [registry, config] = await Promise.all([startTricklingRegistryDouble(), createTrustConfigDir('tp-deadline', E2E_CERT_PEM)]);
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-deadline' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    cache: { enabled: false },
    logLevel: 'silent',
    processMetrics: false,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await registry?.stop();
  await config?.remove();
});

afterEach(async () => {
  // Each test starts with nothing in flight, whatever the previous one left.
  await waitFor(async () => service.cache.inFlight === 0 && registry.open() === 0, 5_000, 'the previous test to release its flight');
});

/** Collect garbage a few times while the request waits: the moments a weakly held timeout signal is lost. */
async function collectGarbageDuring(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(150);
    gc();
  }
}

const request = () => ({ images: { containers: { app: kyvernoContainer(registry.host, 'app', 'v1') } } });

test('the request deadline still fires after a garbage collection: 406 on time, no flight left running', async () => {
  const started = Date.now();
  const [answer] = await Promise.all([post(`${service.url}/checkimages`, request()), collectGarbageDuring(REQUEST_TIMEOUT_MS - 300)]);
  const elapsed = Date.now() - started;
  expect(answer.status).toBe(406);
  expect(answer.text).toBe(
    `failed to verify container app: failed to verify image {{${registry.host} app app v1 } /spec/containers/0/image}: ` +
      `verification did not finish within the request timeout of 1.5s; the image was not verified (check the registry's latency, or raise --requestTimeout)\n`,
  );
  expect(elapsed).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
  expect(elapsed).toBeLessThan(REQUEST_TIMEOUT_MS + DEADLINE_SLACK_MS);
  // The flight had its own deadline (started a little later than the request's): it ends too, and lets go of the registry.
  await waitFor(async () => service.cache.inFlight === 0 && registry.open() === 0, DEADLINE_SLACK_MS, 'the verification flight to end');
}, 15_000);

test('a client that hangs up ends the verification flight nobody else waits for, garbage collection or not', async () => {
  const client = new AbortController();
  const answer = post(`${service.url}/checkimages`, request(), { signal: client.signal });
  await waitFor(async () => registry.open() > 0, 1_000, 'the verification to reach the trickling registry');
  gc();
  client.abort();
  await expect(answer).rejects.toMatchObject({ name: 'AbortError' });
  gc();
  // Well before the flight's own deadline would have passed.
  await waitFor(async () => service.cache.inFlight === 0 && registry.open() === 0, REQUEST_TIMEOUT_MS / 2, 'the abandoned flight to end');
}, 15_000);
