// Registry JSON is untrusted and parsed synchronously (issue 9, H2): referrers pages, referrers tag
// indexes, artifact (signature) manifests and signature envelopes are bounded far below the 4 MiB of
// image manifests, and pathological nesting is refused before JSON.parse.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkJsonDepth } from '../../src/oci/document.js';
import { OciError, RegistryClient } from '../../src/oci/index.js';
import { DEFAULT_REGISTRY_LIMITS } from '../../src/oci/registry-transport.js';
import { rejectionOf, thrownBy } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const SUBJECT = { mediaType: MANIFEST, digest: `sha256:${'c'.repeat(64)}`, size: 2 };
const PAGES = 20;
const text = (s: string): Buffer => Buffer.from(s);
const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** An empty referrers index padded to about `bytes` with nesting `depth` levels deep (depth 0: flat). */
function paddedIndex(bytes: number, nested: boolean): Buffer {
  const head = `{"schemaVersion":2,"mediaType":"${INDEX}","manifests":[],"padding":`;
  if (!nested) return text(`${head}"${'x'.repeat(bytes - head.length - 3)}"}`);
  const depth = Math.floor((bytes - head.length - 1) / 2);
  return text(`${head}${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

describe('checkJsonDepth', () => {
  const nest = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  test.each([
    ['64 levels', nest(64), undefined],
    ['65 levels', nest(65), 'SIZE_LIMIT_EXCEEDED'],
    ['brackets inside strings', `[${JSON.stringify('['.repeat(100))}]`, undefined],
    ['escaped quote inside a string', `["\\"${'['.repeat(100)}"]`, undefined],
    ['objects', `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`, 'SIZE_LIMIT_EXCEEDED'],
    ['a real manifest', JSON.stringify({ schemaVersion: 2, manifests: [{ platform: { 'os.features': ['x'] }, annotations: { a: '{[' } }] }), undefined],
  ])('%s', (_name, json, code) => {
    const run = (): void => checkJsonDepth(text(json), 'doc');
    if (code === undefined) expect(run).not.toThrow();
    else expect(thrownBy(OciError, run).code).toBe(code);
  });
});

describe('referrers pages', () => {
  const served: number[] = [];
  let registry: HttpDoubleServer;
  let deepPage: Buffer;
  let smallDeepPage: Buffer;
  let flatPage: Buffer;

  beforeAll(async () => {
    deepPage = paddedIndex(4 * 1024 * 1024 - 1024, true);
    smallDeepPage = paddedIndex(200 * 1024, true);
    flatPage = paddedIndex(1024 * 1024, false);
    // Referrers API double: /v2/<name>/referrers/<digest>?page=N, 20 pages linked by rel="next".
    registry = await listenHttpDouble((req, res) => {
      const url = new URL(req.url ?? '/', 'http://double');
      const page = Number(url.searchParams.get('page') ?? '1');
      served.push(page);
      const body = url.pathname.startsWith('/v2/deep/') ? deepPage : url.pathname.startsWith('/v2/small-deep/') ? smallDeepPage : flatPage;
      const headers: Record<string, string | number> = { 'content-type': INDEX };
      if (page < PAGES) headers.link = `<${url.pathname}?page=${page + 1}>; rel="next"`;
      // Deep pages are chunked (no content-length): the limit must hold while reading, not only on the header.
      if (body === flatPage) headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  function client(limits: Partial<typeof DEFAULT_REGISTRY_LIMITS> = {}): RegistryClient {
    return new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, limits });
  }

  test('a 20-page listing of 4 MiB pages padded with deep nesting is refused at the first page, quickly', async () => {
    const registryClient = client();
    served.length = 0;
    try {
      const started = process.cpuUsage();
      const outcome = await registryClient
        .repository(`127.0.0.1:${registry.port}`, 'deep')
        .referrers(SUBJECT)
        .then(
          (listed) => `listed ${listed.length}`,
          (err: unknown) => (err instanceof OciError ? err.code : String(err)),
        );
      const used = process.cpuUsage(started);
      const cpuMs = (used.user + used.system) / 1000;
      expect(outcome).toBe('SIZE_LIMIT_EXCEEDED');
      expect(served).toEqual([1]);
      // Without the bounds the 20 pages cost about 20 s of CPU; the refusal reads at most 256 KiB.
      expect(cpuMs).toBeLessThan(500);
    } finally {
      await registryClient.close();
    }
  }, 120_000);

  test('a page under the size limit that nests too deep is refused before it is parsed', async () => {
    const registryClient = client();
    served.length = 0;
    try {
      const error = await rejectionOf(OciError, registryClient.repository(`127.0.0.1:${registry.port}`, 'small-deep').referrers(SUBJECT));
      expect(error.code).toBe('SIZE_LIMIT_EXCEEDED');
      expect(error.message).toBe(`referrers of 127.0.0.1:${registry.port}/small-deep@${SUBJECT.digest} nests JSON deeper than 64 levels; refusing a pathological document`);
      expect(served).toEqual([1]);
    } finally {
      await registryClient.close();
    }
  });

  test('the page limit is an option: 1 MiB flat pages pass when it is raised', async () => {
    const limited = client();
    const raised = client({ maxReferrersPageBytes: 2 * 1024 * 1024 });
    try {
      const error = await rejectionOf(OciError, limited.repository(`127.0.0.1:${registry.port}`, 'flat').referrers(SUBJECT));
      expect(error.code).toBe('SIZE_LIMIT_EXCEEDED');
      expect(error.message).toBe(
        `referrers of 127.0.0.1:${registry.port}/flat@${SUBJECT.digest} (page 1) is ${flatPage.length} bytes, over the limit of ${256 * 1024} bytes; the page is too large (raise limits.maxReferrersPageBytes if this is expected)`,
      );
      served.length = 0;
      expect(await raised.repository(`127.0.0.1:${registry.port}`, 'flat').referrers(SUBJECT)).toEqual([]);
      expect(served).toHaveLength(PAGES);
    } finally {
      await Promise.all([limited.close(), raised.close()]);
    }
  });
});

describe('artifact manifests, tag indexes and envelopes', () => {
  const bigManifest = text(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'application/vnd.cncf.notary.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: `sha256:${'4'.repeat(64)}`, size: 2 },
      layers: [],
      annotations: { padding: 'x'.repeat(300 * 1024) },
    }),
  );
  const bigDigest = sha256(bigManifest);
  const envelope = text(`{"payload":"${'e'.repeat(300 * 1024)}"}`);
  const envelopeDigest = sha256(envelope);
  let registry: HttpDoubleServer;
  let requests: string[];

  beforeAll(async () => {
    requests = [];
    // Registry double: no Referrers API (404), a 300 KiB referrers tag index, a 300 KiB manifest under any
    // digest or tag, a 300 KiB blob.
    registry = await listenHttpDouble((req, res) => {
      const url = req.url ?? '';
      requests.push(url);
      if (url.includes('/referrers/')) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (url.includes('/blobs/')) {
        res.writeHead(200, { 'content-length': envelope.length });
        res.end(envelope);
        return;
      }
      if (url.includes('/manifests/sha256-')) {
        const index = paddedIndex(300 * 1024, false);
        res.writeHead(200, { 'content-type': INDEX, 'content-length': index.length });
        res.end(index);
        return;
      }
      res.writeHead(200, { 'content-type': MANIFEST, 'content-length': bigManifest.length, 'docker-content-digest': bigDigest });
      res.end(bigManifest);
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test.each([
    ['default limits', {}, ['SIZE_LIMIT_EXCEEDED', 'SIZE_LIMIT_EXCEEDED', 'SIZE_LIMIT_EXCEEDED', 'read']],
    [
      'raised limits',
      { maxArtifactManifestBytes: 512 * 1024, maxReferrersIndexBytes: 512 * 1024, maxSignatureEnvelopeBytes: 512 * 1024 },
      ['read', 'read', 'read', 'read'],
    ],
  ])('%s', async (_name, limits, expected) => {
    const registryClient = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, limits });
    const repository = registryClient.repository(`127.0.0.1:${registry.port}`, 'app');
    const outcome = (promise: Promise<unknown>): Promise<string> =>
      promise.then(
        () => 'read',
        (err: unknown) => (err instanceof OciError ? err.code : String(err)),
      );
    try {
      requests.length = 0;
      const results = [
        // A signature manifest, fetched as the verifier does: through the descriptor referrers() listed.
        await outcome(repository.fetchManifest({ mediaType: MANIFEST, digest: bigDigest, size: bigManifest.length, artifactType: 'application/vnd.cncf.notary.signature' })),
        await outcome(repository.referrers(SUBJECT)),
        await outcome(repository.fetchBlob({ mediaType: 'application/jose+json', digest: envelopeDigest, size: envelope.length })),
        // An image manifest by tag keeps the 4 MiB limit.
        await outcome(repository.fetchManifest('v1')),
      ];
      expect(results).toEqual(expected);
      // Refused by the descriptor's size, the envelope and the signature manifest are never requested.
      expect(requests.filter((url) => url.includes(bigDigest) || url.includes('/blobs/'))).toHaveLength(expected[0] === 'read' ? 2 : 0);
    } finally {
      await registryClient.close();
    }
  });
});
