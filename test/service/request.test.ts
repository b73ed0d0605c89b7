// Parsing the /checkimages body: Kyverno's images variable, old callers, filters, metadata, Go-compatible output.
import { describe, expect, test } from 'vitest';
import { formatImageInfoLikeGo, marshalIndentLikeGo } from '../../src/service/go-http.js';
import { wildcardMatch } from '../../src/common/index.js';
import { parseListenAddress, parseCheckImagesRequest } from '../../src/service/index.js';
import { checkImagesRequestSchema, isPlainRequest } from '../../src/service/request.js';
import { attestationsFor } from '../../src/service/selection.js';

const kyvernoImage = {
  registry: 'ghcr.io',
  path: 'org/app',
  name: 'app',
  tag: 'v1',
  digest: '',
  reference: 'ghcr.io/org/app:v1',
  referenceWithTag: 'ghcr.io/org/app:v1',
  jsonPointer: '/spec/containers/0/image',
};
const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('images', () => {
  const cases: { name: string; image: Record<string, unknown>; imageString: string; repository: string; reference?: string; error?: string }[] = [
    { name: "Kyverno's images variable", image: kyvernoImage, imageString: 'ghcr.io/org/app:v1', repository: 'ghcr.io/org/app', reference: 'ghcr.io/org/app:v1' },
    { name: 'old caller: registry, path, name, tag only', image: { registry: '844333597536.dkr.ecr.us-west-2.amazonaws.com', path: 'kyverno-demo', name: 'kyverno-demo', tag: 'v1' }, imageString: '844333597536.dkr.ecr.us-west-2.amazonaws.com/kyverno-demo:v1', repository: '844333597536.dkr.ecr.us-west-2.amazonaws.com/kyverno-demo', reference: '844333597536.dkr.ecr.us-west-2.amazonaws.com/kyverno-demo:v1' },
    { name: 'digest wins over tag', image: { ...kyvernoImage, digest: DIGEST }, imageString: `ghcr.io/org/app@${DIGEST}`, repository: 'ghcr.io/org/app', reference: `ghcr.io/org/app@${DIGEST}` },
    { name: 'no registry: Docker Hub', image: { path: 'library/nginx', tag: '1.27' }, imageString: 'library/nginx:1.27', repository: 'library/nginx', reference: 'docker.io/library/nginx:1.27' },
    { name: 'no tag: latest is resolved', image: { registry: 'ghcr.io', path: 'org/app' }, imageString: 'ghcr.io/org/app:', repository: 'ghcr.io/org/app', reference: 'ghcr.io/org/app:latest' },
    { name: 'reference only', image: { reference: 'localhost:5000/app:v2', jsonPointer: '/x' }, imageString: 'localhost:5000/app:v2', repository: 'localhost:5000/app', reference: 'localhost:5000/app:v2' },
    { name: 'upper-case repository', image: { registry: 'ghcr.io', path: 'Org/App', tag: 'v1' }, imageString: 'ghcr.io/Org/App:v1', repository: 'ghcr.io/Org/App', error: 'failed to parse reference ghcr.io/Org/App:v1: invalid reference "ghcr.io/Org/App:v1": repository name (Org/App) must be lowercase' },
    { name: 'bad digest', image: { registry: 'ghcr.io', path: 'org/app', digest: 'sha256:abc' }, imageString: 'ghcr.io/org/app@sha256:abc', repository: 'ghcr.io/org/app', error: 'failed to parse reference ghcr.io/org/app@sha256:abc: invalid reference' },
    { name: 'nothing to go on', image: { name: 'x' }, imageString: '', repository: '', error: 'the image has neither path nor reference' },
  ];
  test.each(cases)('$name', ({ image, imageString, repository, reference, error }) => {
    const parsed = parseCheckImagesRequest({ images: { containers: { c: image } } });
    if (!parsed.ok) throw new Error(parsed.message);
    const [only] = parsed.request.images;
    expect(only?.imageString).toBe(imageString);
    expect(only?.repositoryString).toBe(repository);
    if (reference) {
      const r = only?.reference;
      expect(r && `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`).toBe(reference);
    }
    if (error) expect(only?.referenceError).toContain(error);
  });
});

test('containers, initContainers and ephemeralContainers are all collected, in that order', () => {
  const parsed = parseCheckImagesRequest({
    images: { ephemeralContainers: { e: kyvernoImage }, containers: { a: kyvernoImage, b: kyvernoImage }, initContainers: { i: kyvernoImage } },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.request.images.map((i) => `${i.kind}/${i.containerName}`)).toEqual(['containers/a', 'containers/b', 'initContainers/i', 'ephemeralContainers/e']);
  expect(parsed.request.total).toBe(4);
});

test('imageReferences filter: unmatched images are skipped, matched ones verified', () => {
  const parsed = parseCheckImagesRequest({
    images: { containers: { a: kyvernoImage, b: { ...kyvernoImage, registry: 'docker.io', path: 'library/nginx', reference: 'docker.io/library/nginx:v1', referenceWithTag: 'docker.io/library/nginx:v1' } } },
    imageReferences: ['ghcr.io/org/*'],
  });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.request.images.map((i) => i.containerName)).toEqual(['a']);
  expect(parsed.request.skipped.map((i) => i.containerName)).toEqual(['b']);
});

test('metadata is parsed but only recorded; unknown fields are ignored', () => {
  const parsed = parseCheckImagesRequest({
    images: { containers: { a: kyvernoImage } },
    metadata: JSON.stringify({ 'ghcr.io/org/app:v1': true }),
    skipVerification: true,
    verified: true,
  });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.request.metadata).toEqual({ 'ghcr.io/org/app:v1': true });
  expect(parsed.request.images).toHaveLength(1);
  const broken = parseCheckImagesRequest({ images: { containers: { a: kyvernoImage } }, metadata: '{not json' });
  expect(broken.ok && broken.request.metadataError).toMatch(/^metadata is not JSON/);
});

test.each([
  [{ images: [] }, 'invalid request: images: Invalid input: expected object, received array'],
  [{ images: { containers: { a: { path: 5 } } } }, 'invalid request: images.containers.a.path: Invalid input: expected string, received number'],
  [{ images: {}, trustPolicy: ['x'] }, 'invalid request: trustPolicy: Invalid input: expected string, received array'],
  [[1, 2], 'invalid request: body: Invalid input: expected object, received array'],
])('a body of the wrong shape is refused with the field named: %j', (body, message) => {
  expect(parseCheckImagesRequest(body)).toEqual({ ok: false, message });
});

test.each([
  [{ images: { containers: { a: { ...kyvernoImage, path: 'a'.repeat(1025) } } } }, 'invalid request: images.containers.a.path: Too big: expected string to have <=1024 characters'],
  [{ images: { containers: { ['c'.repeat(254)]: kyvernoImage } } }, `invalid request: images.containers.${'c'.repeat(254)}: Invalid key in record`],
  [{ images: { containers: { a: kyvernoImage } }, imageReferences: ['*'.repeat(1025)] }, 'invalid request: imageReferences[0]: Too big: expected string to have <=1024 characters'],
  [{ images: { containers: { a: kyvernoImage } }, imageReferences: Array.from({ length: 257 }, () => '*') }, 'invalid request: imageReferences: Too big: expected array to have <=256 items'],
  [{ images: { containers: { a: kyvernoImage } }, attestations: Array.from({ length: 257 }, () => ({})) }, 'invalid request: attestations: Too big: expected array to have <=256 items'],
  [{ images: { containers: { a: kyvernoImage } }, trustPolicy: 'p'.repeat(254) }, 'invalid request: trustPolicy: Too big: expected string to have <=253 characters'],
])('strings and lists from the caller are bounded (the wildcard match is quadratic in its inputs): %#', (body, message) => {
  expect(parseCheckImagesRequest(body)).toEqual({ ok: false, message });
});

test('more images than the limit are refused before any imageReferences matching', () => {
  const containers = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`c${i}`, kyvernoImage]));
  expect(parseCheckImagesRequest({ images: { containers }, imageReferences: ['ghcr.io/*'] }, { maxImages: 3 })).toEqual({
    ok: false,
    message: 'too many images: the request holds 4, the limit is 3 (--maxImagesPerRequest)',
  });
  expect(parseCheckImagesRequest({ images: { containers } }, { maxImages: 4 }).ok).toBe(true);
});

test.each([
  ['*', 'anything/at:all', true],
  ['ghcr.io/org/*', 'ghcr.io/org/app:v1', true],
  ['ghcr.io/org/*', 'ghcr.io/other/app:v1', false],
  ['ghcr.io/org/app:v?', 'ghcr.io/org/app:v1', true],
  ['ghcr.io/org/app:v?', 'ghcr.io/org/app:v10', false],
  ['*/app:*', 'registry:5000/team/app:1', true],
  ['a*b*c', 'aXXbYYc', true],
  ['a*b*c', 'aXXbYY', false],
  ['', '', true],
])('wildcard %j matches %j: %s', (pattern, value, expected) => {
  expect(wildcardMatch(pattern, value)).toBe(expected);
});

test("Go's json.MarshalIndent(v, \"  \", \"  \") and %v of ImageInfo", () => {
  expect(marshalIndentLikeGo({ verified: true, results: [{ op: 'replace', path: '/a', value: 'x<y>&z' }], digests: {} })).toBe(
    '{\n    "verified": true,\n    "results": [\n      {\n        "op": "replace",\n        "path": "/a",\n        "value": "x\\u003cy\\u003e\\u0026z"\n      }\n    ],\n    "digests": {}\n  }',
  );
  expect(
    formatImageInfoLikeGo({ registry: '844333597536.dkr.ecr.us-west-2.amazonaws.com', name: 'kyverno-demo', path: 'kyverno-demo', tag: 'v1-unsigned', digest: '', jsonPointer: '/spec/containers/0/image' }),
  ).toBe('{{844333597536.dkr.ecr.us-west-2.amazonaws.com kyverno-demo kyverno-demo v1-unsigned } /spec/containers/0/image}');
});

test.each([
  [':8080', { port: 8080 }],
  ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ['[::1]:9443', { host: '::1', port: 9443 }],
  ['localhost:8081', { host: 'localhost', port: 8081 }],
  ['9080', { port: 9080 }],
  ['0', undefined],
])('listen address %j', (text, expected) => {
  expect(parseListenAddress(text, '--bind-address')).toEqual(expected);
});

test.each(['8080:', 'host', ':99999', '::1:80'])('bad listen address %j is refused', (text) => {
  expect(() => parseListenAddress(text, '--bind-address')).toThrow(/--bind-address/);
});

test.each([
  [[{ imageReference: 'ghcr.io/*', type: [{ name: 'sbom/cyclone-dx' }] }], ['sbom/cyclone-dx']],
  [[{ type: [{ name: 'sbom/cyclone-dx' }, { name: 'vuln/x' }] }], ['sbom/cyclone-dx', 'vuln/x']],
  // A type without a name still asks for an attestation: never silently dropped (fail closed).
  [[{ imageReference: '*', type: [{ conditions: { all: [] } }] }], ['(unnamed)']],
  [[{ imageReference: '*', type: [{ name: '' }] }], ['(unnamed)']],
  [[{ imageReference: 'docker.io/*', type: [{ name: 'sbom/cyclone-dx' }] }], []],
  [[{ imageReference: '*', type: [] }], []],
])('attestations asked of an image: %j', (attestations, types) => {
  const parsed = parseCheckImagesRequest({ images: { containers: { a: kyvernoImage } }, attestations });
  if (!parsed.ok) throw new Error(parsed.message);
  const [image] = parsed.request.images;
  if (!image) throw new Error('no image');
  expect(attestationsFor(image, parsed.request.attestations).flatMap((a) => a.types)).toEqual(types);
});

test('each type of an image gets the condition blocks of every entry that selects it; empty blocks are dropped (as the peer)', () => {
  const noGpl = { all: [{ key: '\\{{ element.components[].licenses[].expression }}', operator: 'AllNotIn', value: ['GPL-3.0'] }], any: [] };
  const version = { all: [{ key: '{{creationInfo.licenseListVersion}}', operator: 'Equals', value: '3.17' }] };
  const parsed = parseCheckImagesRequest({
    images: { containers: { a: kyvernoImage } },
    attestations: [
      { imageReference: '*', type: [{ name: 'sbom/cyclone-dx', conditions: version }, { name: 'vuln/x', conditions: { all: [], any: [] } }, { name: 'vuln/y' }] },
      { imageReference: 'ghcr.io/*', type: [{ name: 'sbom/cyclone-dx', conditions: noGpl }, { name: 'vuln/x', conditions: 'not a block' }] },
      { imageReference: 'docker.io/*', type: [{ name: 'sbom/cyclone-dx', conditions: { all: [{ key: 'never', operator: 'Equals', value: 1 }] } }] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.request.images[0]?.attestations).toEqual([
    { type: 'sbom/cyclone-dx', conditions: [version, noGpl] },
    // A value that is no {all, any} block is kept for the conditions parser to refuse, never dropped.
    { type: 'vuln/x', conditions: ['not a block'] },
    { type: 'vuln/y', conditions: [] },
  ]);
});

test('patterns too costly to match are refused quickly instead of holding the event loop (budget shared by imageReferences and attestations)', () => {
  const long = { registry: 'r', path: 'a'.repeat(1000), tag: 'a'.repeat(1000) };
  const containers = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`c${i}`, long]));
  const costly = `*${'a'.repeat(1000)}b`;
  const started = performance.now();
  expect(parseCheckImagesRequest({ images: { containers }, imageReferences: Array.from({ length: 256 }, () => costly) })).toEqual({
    ok: false,
    message: 'imageReferences and attestations patterns are too costly to match against these images (more than 50000000 steps); use fewer or simpler patterns',
  });
  expect(parseCheckImagesRequest({ images: { containers }, attestations: Array.from({ length: 256 }, () => ({ imageReference: costly, type: [{ name: 'x' }] })) }).ok).toBe(false);
  expect(performance.now() - started).toBeLessThan(5000);
  const fine = parseCheckImagesRequest({ images: { containers }, imageReferences: ['r/*', 'ghcr.io/*'], attestations: [{ imageReference: 'r/a*', type: [{ name: 'x' }] }] });
  if (!fine.ok) throw new Error(fine.message);
  expect(fine.request.images.map((i) => i.attestationTypes)).toEqual(Array.from({ length: 100 }, () => ['x']));
});

describe('prototype names (issue 9 M1): every entry of every map is verified, or the request refused', () => {
  // JSON.parse makes each of these an own key; zod's z.record silently dropped `__proto__`.
  const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];
  const KINDS = ['containers', 'initContainers', 'ephemeralContainers'] as const;
  const other = { ...kyvernoImage, path: 'org/unsigned', reference: 'ghcr.io/org/unsigned:v1', referenceWithTag: 'ghcr.io/org/unsigned:v1', jsonPointer: '/spec/x' };
  const raw = (kind: string, name: string) => `{"images":{"${kind}":{"a":${JSON.stringify(kyvernoImage)},"${name}":${JSON.stringify(other)}}}}`;

  describe.each(KINDS)('%s', (kind) => {
    test.each(PROTOTYPE_NAMES)('a container named %s is verified beside the others', (name) => {
      const parsed = parseCheckImagesRequest(JSON.parse(raw(kind, name)));
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.request.total).toBe(2);
      expect(parsed.request.images.map((i) => [i.kind, i.containerName, i.imageString])).toEqual([
        [kind, 'a', 'ghcr.io/org/app:v1'],
        [kind, name, 'ghcr.io/org/unsigned:v1'],
      ]);
    });

    test(`an invalid entry named __proto__ is refused like any other, not dropped`, () => {
      const body = JSON.parse(`{"images":{"${kind}":{"a":${JSON.stringify(kyvernoImage)},"__proto__":{"path":5}}}}`) as unknown;
      expect(parseCheckImagesRequest(body)).toEqual({ ok: false, message: `invalid request: images.${kind}.__proto__.path: Invalid input: expected string, received number` });
    });
  });

  test.each(PROTOTYPE_NAMES)('images.%s is refused (it is no container kind, and must not hide containers)', (name) => {
    const body = JSON.parse(`{"images":{"containers":{"a":${JSON.stringify(kyvernoImage)}},"${name}":{"b":${JSON.stringify(other)}}}}`) as unknown;
    expect(parseCheckImagesRequest(body)).toEqual({
      ok: false,
      message: `invalid request: images.${name}: a key named after a JavaScript prototype member is not accepted; Kyverno's images variable holds containers, initContainers and ephemeralContainers`,
    });
  });

  test.each(PROTOTYPE_NAMES)('a body key %s is refused', (name) => {
    const body = JSON.parse(`{"${name}":{"images":{"containers":{"b":${JSON.stringify(other)}}}},"images":{"containers":{"a":${JSON.stringify(kyvernoImage)}}}}`) as unknown;
    expect(parseCheckImagesRequest(body)).toEqual({
      ok: false,
      message: `invalid request: ${name}: a key named after a JavaScript prototype member is not accepted; Kyverno's images variable holds containers, initContainers and ephemeralContainers`,
    });
  });

  test('other unknown keys of images stay ignored, as Go ignores them', () => {
    const parsed = parseCheckImagesRequest({ images: { containers: { a: kyvernoImage }, tasks: { t: other } } });
    expect(parsed.ok && parsed.request.images.map((i) => i.containerName)).toEqual(['a']);
  });
});

describe('the hand check of plain requests (the warm path) agrees with the schema', () => {
  const MAX = { field: 1024, name: 253, pattern: 1024, patterns: 256 };
  const base = { images: { containers: { a: kyvernoImage }, initContainers: { i: { registry: 'ghcr.io', path: 'org/init', tag: 'v2' } } }, trustPolicy: 'tp' };
  const values: unknown[] = [undefined, null, 5, true, 'true', 'yes', [], ['x'], {}, 'x'.repeat(MAX.field), 'x'.repeat(MAX.field + 1), 'x'.repeat(MAX.name + 1)];
  const set = (body: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> => {
    const copy = structuredClone(body);
    let at: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
    const last = path.at(-1) as string;
    if (value === undefined) delete at[last];
    else at[last] = value;
    return copy;
  };
  const paths = [
    ['images'], ['images', 'containers'], ['images', 'initContainers'], ['images', 'ephemeralContainers'], ['trustPolicy'], ['metadata'], ['insecure'], ['imageReferences'],
    ...['registry', 'name', 'path', 'tag', 'digest', 'reference', 'referenceWithTag', 'jsonPointer'].map((field) => ['images', 'containers', 'a', field]),
    ['images', 'containers', 'a'], ['images', 'containers', 'x'.repeat(MAX.name)], ['images', 'containers', 'x'.repeat(MAX.name + 1)], ['images', 'containers', 'constructor'],
  ];
  const bodies: unknown[] = [
    base,
    { ...base, imageReferences: ['ghcr.io/*'], metadata: '{"ghcr.io/org/app:v1":true}', insecure: 'false' },
    { ...base, imageReferences: Array.from({ length: MAX.patterns }, () => '*') },
    { ...base, imageReferences: Array.from({ length: MAX.patterns + 1 }, () => '*') },
    { ...base, imageReferences: ['x'.repeat(MAX.pattern + 1)] },
    { ...base, metadata: { 'ghcr.io/org/app:v1': true } },
    JSON.parse(`{"images":{"containers":{"__proto__":${JSON.stringify(kyvernoImage)}}}}`),
    [base],
    'body',
    null,
    ...paths.flatMap((path) => values.map((value) => set(base, path, value))),
  ];

  test('a plain body is one the schema accepts, and it parses as through the schema', () => {
    let plain = 0;
    for (const body of bodies) {
      if (isPlainRequest(body)) {
        plain += 1;
        expect(checkImagesRequestSchema.safeParse(body).success).toBe(true);
      }
      // `attestations: []` asks for nothing and sends the body through the schema.
      const throughSchema = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, attestations: [] } : body;
      expect(parseCheckImagesRequest(body, { maxImages: 100 })).toEqual(parseCheckImagesRequest(throughSchema, { maxImages: 100 }));
    }
    // The pristine request and its harmless variations take the hand-checked path.
    expect(isPlainRequest(base)).toBe(true);
    expect(plain).toBeGreaterThan(40);
  });
});
