// The API app as a composition root: /checkimages is a plugin, and another plugin (the admission webhook next) registers beside it with its own parsers.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { pino } from 'pino';
import { FileConfigSource } from '../../src/config/index.js';
import {
  checkImagesPlugin,
  classifyVerdict,
  createApiApp,
  listen,
  NotaryBackend,
  notaryConfigValidators,
  resolveServiceOptions,
  ServiceMetrics,
  urlHost,
  VerdictCache,
} from '../../src/service/index.js';
import type { ImageVerdict } from '../../src/verification/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { createTrustConfigDir, kyvernoContainer, post, type TrustConfigDir } from './harness.js';

let config: TrustConfigDir;
let source: FileConfigSource;
let backend: NotaryBackend;
let close: () => Promise<void>;
let url: string;

beforeAll(async () => {
  config = await createTrustConfigDir('tp-plugins', E2E_CERT_PEM);
  source = new FileConfigSource(config.dir, { validators: notaryConfigValidators, resyncIntervalMs: 0, pollIntervalMs: 0 });
  await source.start();
  backend = new NotaryBackend({ maxSignatureAttempts: 1 });
  const metrics = new ServiceMetrics({ cacheSize: () => 0, defaultMetrics: false });
  const cache = new VerdictCache<ImageVerdict>({ enabled: false, maxSize: 0, ttlSeconds: 1, classify: classifyVerdict });
  const { limits } = resolveServiceOptions({ config: {}, limits: { maxRequestBytes: 4096 } });
  const { app, server } = createApiApp({
    logger: pino({ level: 'silent' }),
    bodyLimit: limits.maxRequestBytes,
    timeouts: { readHeaderMs: limits.readHeaderTimeoutMs, readMs: limits.readTimeoutMs, idleMs: limits.idleTimeoutMs },
  });
  await app.register(checkImagesPlugin, { config: source, backend, cache, metrics, limits, defaultTrustPolicy: 'tp-plugins', allowInsecure: () => false });
  await app.register(async (webhook) => {
    webhook.post('/validate', async (request) => ({ received: request.body }));
  });
  await app.ready();
  url = `http://${urlHost(await listen(server, { host: '127.0.0.1', port: 0 }))}`;
  close = async () => {
    await app.close();
    server.close();
  };
});

afterAll(async () => {
  await close?.();
  await backend?.close();
  await source?.close();
  await config?.remove();
});

test('a plugin beside /checkimages gets parsed JSON; /checkimages keeps its raw-bytes parser and Go-style answers', async () => {
  const webhook = await post(`${url}/validate`, { kind: 'AdmissionReview' });
  expect([webhook.status, webhook.text]).toEqual([200, '{"received":{"kind":"AdmissionReview"}}']);

  const unmatched = { images: { containers: { c: kyvernoContainer('ghcr.io', 'org/app', 'v1') } }, imageReferences: ['none/*'] };
  const checked = await post(`${url}/checkimages`, JSON.stringify(unmatched), { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  expect(checked.status).toBe(200);
  expect(JSON.parse(checked.text)).toMatchObject({ verified: true, message: 'verified 0 images with trust policy tp-plugins; 1 not matched by imageReferences and not verified' });

  const tooLarge = await post(`${url}/checkimages`, 'x'.repeat(5000));
  expect([tooLarge.status, tooLarge.text]).toEqual([413, 'request body is larger than the limit of 4096 bytes\n']);
  const missing = await post(`${url}/nowhere`, {});
  expect([missing.status, missing.text]).toEqual([404, '404 page not found\n']);
});
