// A token realm that stops giving tokens is not remembered forever (issue 14): after a registry named a realm that
// fails (unreachable, refused), the client asks the registry again how to authenticate instead of failing every later
// request on that realm until restart.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OciError, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';

const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] });
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
const BASIC = `Basic ${Buffer.from('gina:pw').toString('base64')}`;

let registry: HttpDoubleServer;
let closedRealm: HttpDoubleServer;
/** How the registry challenges: a Bearer realm nobody answers at, then (moved back) Basic. */
let scheme: 'bearer' | 'basic' = 'bearer';

beforeAll(async () => {
  // A realm on a port nothing listens on any more: connections are refused.
  closedRealm = await listenHttpDouble((_req, res) => res.writeHead(500).end());
  await closedRealm.stop();
  registry = await listenHttpDouble((req, res) => {
    req.resume();
    if (scheme === 'basic' && req.headers.authorization === BASIC) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': DIGEST, 'content-length': String(MANIFEST.length) });
      res.end(req.method === 'HEAD' ? undefined : MANIFEST);
      return;
    }
    res.writeHead(401, { 'www-authenticate': scheme === 'bearer' ? `Bearer realm="${closedRealm.url}/token",service="registry"` : 'Basic realm="registry"' });
    res.end();
  });
});
afterAll(async () => {
  await registry?.stop();
});

test('a realm that refused a token is forgotten: the next request follows the registry’s new challenge', async () => {
  const client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, credentials: staticCredentials({ username: 'gina', password: 'pw' }) });
  try {
    const repository = client.repository(`127.0.0.1:${registry.port}`, 'app');
    const first = await rejectionOf(OciError, repository.resolve('v1'));
    expect([first.code, first.message]).toEqual(['REGISTRY_UNAVAILABLE', expect.stringMatching(/^token request to http:\/\/127\.0\.0\.1:\d+ for 127\.0\.0\.1:\d+: ECONNREFUSED/)]);
    scheme = 'basic';
    expect((await repository.resolve('v1')).digest).toBe(DIGEST);
  } finally {
    await client.close();
  }
});
