// manifest-shape.ts against the zod schemas it stands in for: never accepts what a schema refuses, returns
// exactly the schema's value (members, order, undefined members), and does accept the well-formed documents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type * as z from 'zod';
import { descriptorSchema, imageIndexSchema, imageManifestSchema, parseManifest } from '../../src/oci/manifest.js';
import { descriptorShape, imageIndexShape, imageManifestShape, UNSURE } from '../../src/oci/manifest-shape.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const descriptor = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: DIGEST,
  size: 123,
  artifactType: 'application/vnd.cncf.notary.signature',
  annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]', b: 'c' },
  platform: { architecture: 'amd64', os: 'linux', variant: 'v8', 'os.version': '10', 'os.features': ['sse4'] },
  urls: ['https://example.com/blob'],
  data: 'e30=',
};
const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  artifactType: 'application/vnd.cncf.notary.signature',
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: DIGEST, size: 2 },
  layers: [{ mediaType: 'application/jose+json', digest: DIGEST, size: 2000 }],
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 500 },
  annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': '["ab"]' },
};
const index = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [descriptor, { mediaType: 'x', digest: DIGEST, size: 0 }],
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 500 },
};

/** Values a member is set to: of every JSON type, edge numbers, bad digests, undefined (only callers make that). */
const VALUES: unknown[] = [
  undefined, null, true, 0, -0, -1, 1.5, 2, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity,
  '', 'x', DIGEST, `sha256:${'A'.repeat(64)}`, `sha512:${'b'.repeat(128)}`, 'md5:abc',
  [], ['x'], [1], [descriptor], [{}], [null], {}, { a: 'b' }, { a: 1 }, JSON.parse('{"__proto__":"x"}') as unknown,
  { architecture: 'arm64', os: 'linux' }, { architecture: 'arm64' }, { ...descriptor }, { mediaType: 'm', digest: DIGEST, size: 1 },
];

/** Every document one change away from `base`: each member (at any depth) set to each value or deleted, plus an unknown member. */
function variants(base: unknown): unknown[] {
  if (Array.isArray(base)) {
    return [...base.flatMap((item, i) => variants(item).map((v) => base.map((x, j) => (i === j ? v : x)))), [...base, 7], []];
  }
  if (typeof base !== 'object' || base === null) return VALUES;
  const record = base as Record<string, unknown>;
  const out: unknown[] = [{ ...record, unknown: 1 }];
  for (const key of Object.keys(record)) {
    const { [key]: _deleted, ...rest } = record;
    out.push(rest);
    for (const value of [...VALUES, ...variants(record[key])]) out.push({ ...record, [key]: value });
  }
  return out;
}

/** The value with undefined members made visible, so key order and undefined members both count. */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? '<undefined>' : v));
}

function agree(shape: (value: unknown) => unknown, schema: z.ZodType, documents: unknown[]): number {
  let shaped = 0;
  for (const document of documents) {
    const fast = shape(document);
    if (fast === UNSURE) continue;
    shaped++;
    const parsed = schema.safeParse(document);
    expect(parsed.success, exact(document)).toBe(true);
    expect(exact(fast), exact(document)).toBe(exact(parsed.data));
  }
  return shaped;
}

describe('manifest shapes agree with the schemas', () => {
  test('descriptors', () => {
    expect(agree(descriptorShape, descriptorSchema, [descriptor, ...variants(descriptor)])).toBeGreaterThan(100);
  });
  test('image manifests', () => {
    expect(agree(imageManifestShape, imageManifestSchema, [manifest, { ...manifest, layers: null }, ...variants(manifest)])).toBeGreaterThan(100);
  });
  test('image indexes', () => {
    expect(agree(imageIndexShape, imageIndexSchema, [index, { ...index, manifests: null }, ...variants(index)])).toBeGreaterThan(100);
  });

  test('the upstream fixtures take the hand-written path', () => {
    const layout = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');
    const top = JSON.parse(readFileSync(join(layout, 'e2e-valid-signature/index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
    expect(imageIndexShape(top)).not.toBe(UNSURE);
    for (const entry of top.manifests) {
      const bytes = readFileSync(join(layout, 'e2e-valid-signature/blobs', ...entry.digest.split(':')));
      const json: unknown = JSON.parse(bytes.toString('utf8'));
      const shaped = entry.mediaType.includes('index') ? imageIndexShape(json) : imageManifestShape(json);
      expect(shaped, entry.digest).not.toBe(UNSURE);
      expect(parseManifest(bytes, entry.mediaType, 'fixture').manifest).toStrictEqual(shaped);
    }
  });

  test('a refused document keeps the schema message', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...manifest, layers: [{ ...manifest.config, size: -1, digest: 'sha256:x' }] }));
    expect(() => parseManifest(bytes, undefined, 'manifest m')).toThrow(
      'manifest m is not a valid image manifest: layers.0.digest: not a sha256/sha512 digest; layers.0.size: Too small: expected number to be >=0',
    );
  });
});
