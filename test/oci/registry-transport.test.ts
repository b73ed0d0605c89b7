// Repository depends only on the RegistryTransport interface and options by value (issue 10 item 5): any
// transport works (here one that records what a Repository asks of RegistryClient), and its limits are its own.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OciError, RegistryClient, Repository, repositoryOptions, type RegistryRequest, type RegistryTransport } from '../../src/oci/index.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';

const INDEX = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }));
let registry: HttpDoubleServer;

beforeAll(async () => {
  registry = await listenHttpDouble((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': INDEX.length });
    res.end(INDEX);
  });
});
afterAll(async () => {
  await registry?.stop();
});

test('a Repository sends through whatever transport it is given, with the limits it is given', async () => {
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  const asked: Array<Pick<RegistryRequest, 'method' | 'url' | 'scopes'> & { registry: string }> = [];
  const recording: RegistryTransport = {
    send: (host, req) => {
      asked.push({ registry: host, method: req.method, url: req.url, scopes: req.scopes });
      return client.send(host, req);
    },
  };
  const host = `127.0.0.1:${registry.port}`;
  try {
    const repository = new Repository(recording, host, 'app', repositoryOptions());
    expect((await repository.fetchManifest('v1')).bytes.length).toBe(INDEX.length);
    expect(asked).toEqual([{ registry: host, method: 'GET', url: '/v2/app/manifests/v1', scopes: ['repository:app:pull'] }]);
    const tight = new Repository(recording, host, 'app', repositoryOptions({ limits: { maxManifestBytes: INDEX.length - 1 } }));
    const error = await rejectionOf(OciError, tight.fetchManifest('v1'));
    expect(error.code).toBe('SIZE_LIMIT_EXCEEDED');
    expect(() => repositoryOptions({ limits: { maxReferrersPageBytes: 0 } })).toThrow('limit maxReferrersPageBytes must be a positive integer, got 0');
  } finally {
    await client.close();
  }
});
