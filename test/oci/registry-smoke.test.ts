// The test registry starts and answers the distribution API base endpoint.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startRegistry, type RegistryServer } from '../support/registry.js';

let registry: RegistryServer;
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
});

test('docker-registry answers /v2/ with the distribution API version header', async () => {
  const res = await fetch(`${registry.url}/v2/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
});
