// Attestation content: the one layer the peer reads, bounded and digest-checked, parsed as JSON or YAML; the context conditions see.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  attestationContext,
  AttestError,
  listAttestations,
  MAX_ATTESTATION_BYTES,
  parseAttestationDocument,
  readAttestation,
} from '../../src/attest/index.js';
import { ANNOTATION_CREATED, OciLayoutStore, pushArtifact, pushImage, type Descriptor } from '../../src/oci/index.js';

const fixture = (name: string) => readFile(join(import.meta.dirname, '../fixtures/attest', name));
const text = (value: string) => new TextEncoder().encode(value);

describe('parseAttestationDocument', () => {
  test.each([
    { name: 'JSON by default', bytes: text('{"a":[1,"x"]}'), mediaType: 'application/vnd.cyclonedx+json', expected: { a: [1, 'x'] } },
    { name: 'YAML when the media type says so', bytes: text('a: 1\nb: [x, y]\n'), mediaType: 'application/yaml', expected: { a: 1, b: ['x', 'y'] } },
    { name: 'a +yaml structured suffix', bytes: text('k: v\n'), mediaType: 'application/vnd.example+yaml', expected: { k: 'v' } },
    { name: 'gzip by media type', bytes: gzipSync(text('{"z":true}')), mediaType: 'application/json+gzip', expected: { z: true } },
    { name: 'gzip by its magic bytes (as go-containerregistry)', bytes: gzipSync(text('[1,2]')), mediaType: 'application/json', expected: [1, 2] },
  ])('$name', ({ bytes, mediaType, expected }) => {
    expect(parseAttestationDocument(bytes, mediaType, 'the attestation')).toEqual(expected);
  });

  test.each([
    { name: 'JSON that is not JSON', bytes: text('{"a":'), mediaType: 'application/json', message: /^the attestation \(application\/json\) is not valid JSON: / },
    { name: 'YAML read as JSON when the media type does not say YAML', bytes: text('a: 1\n'), mediaType: 'application/vnd.cyclonedx+json', message: /is not valid JSON/ },
    { name: 'invalid UTF-8', bytes: Uint8Array.of(0x7b, 0xff, 0x7d), mediaType: 'application/json', message: /^the attestation is not UTF-8 text$/ },
    { name: 'nesting deeper than 128 levels', bytes: text('['.repeat(129) + ']'.repeat(129)), mediaType: 'application/json', message: /nests JSON deeper than 128 levels/ },
    { name: 'a YAML alias bomb', bytes: text(`a: &a [x,x]\nb: &b [${'*a,'.repeat(60)}*a]\nc: [${'*b,'.repeat(60)}*b]\n`), mediaType: 'text/yaml', message: /is not valid YAML: .*alias/i },
    { name: 'gzip that decompresses beyond the limit', bytes: gzipSync(new Uint8Array(MAX_ATTESTATION_BYTES + 1)), mediaType: 'application/json+gzip', message: /decompresses to more than 16777216 bytes/ },
    { name: 'a broken gzip stream', bytes: Uint8Array.of(0x1f, 0x8b, 0, 0), mediaType: 'application/json', message: /is not a valid gzip stream/ },
  ])('refuses $name with INVALID_ATTESTATION', ({ bytes, mediaType, message }) => {
    let caught: unknown;
    try {
      parseAttestationDocument(bytes, mediaType, 'the attestation');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AttestError);
    expect(caught).toMatchObject({ code: 'INVALID_ATTESTATION', message: expect.stringMatching(message) });
  });
});

describe('attestationContext', () => {
  test('a plain document is merged at the root and is also `element` (the peer)', async () => {
    const sbom = JSON.parse((await fixture('../conditions/sbom-cyclonedx.json')).toString()) as Record<string, unknown>;
    const context = attestationContext(sbom);
    expect(Object.getPrototypeOf(context)).toBeNull();
    expect(Object.keys(context)).toEqual([...Object.keys(sbom), 'element']);
    expect(context.creationInfo).toEqual({ licenseListVersion: '3.17' });
    expect(context.element).toBe(sbom);
  });

  test("an in-toto statement's predicate is what is merged and what `element` is (Kyverno)", async () => {
    const statement = JSON.parse((await fixture('sbom-permissive.intoto.json')).toString()) as { predicate: Record<string, unknown> };
    const context = attestationContext(statement);
    expect(Object.keys(context)).toEqual(['bomFormat', 'specVersion', 'creationInfo', 'components', 'element']);
    expect(context.element).toBe(statement.predicate);
    expect(context._type).toBeUndefined();
  });

  test.each([
    { name: 'an array', document: [{ a: 1 }], keys: ['element'] },
    { name: 'a scalar', document: 'text', keys: ['element'] },
    { name: 'a statement of an unknown _type (not unwrapped)', document: { _type: 'https://example.com/Statement', predicate: { a: 1 } }, keys: ['_type', 'predicate', 'element'] },
    { name: 'a document with its own `element` key (reachable as element.element)', document: { element: 1, b: 2 }, keys: ['element', 'b'] },
    { name: 'a document with a __proto__ key (kept as data)', document: JSON.parse('{"__proto__":{"polluted":1}}') as unknown, keys: ['__proto__', 'element'] },
  ])('$name', ({ document, keys }) => {
    const context = attestationContext(document);
    expect(Object.keys(context)).toEqual(keys);
    expect(context.element).toBe(document);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('readAttestation and listAttestations in an OCI layout', () => {
  let dir: string;
  let store: OciLayoutStore;
  let subject: Descriptor;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imgverify-attest-'));
    store = await OciLayoutStore.open(dir, { create: true });
    subject = (await pushImage(store, { tag: 'v1', layers: [text('the image')] })).descriptor;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const attach = (artifactType: string, blobs: { mediaType: string; bytes: Uint8Array }[], created?: string) =>
    pushArtifact(store, { artifactType, subject, blobs, ...(created ? { annotations: { [ANNOTATION_CREATED]: created } } : {}) });

  test('reads the one layer, digest-checked, as its media type says', async () => {
    const sbom = await fixture('../conditions/sbom-cyclonedx.json');
    const pushed = await attach('application/vnd.cyclonedx', [{ mediaType: 'application/vnd.cyclonedx+json', bytes: sbom }]);
    const content = await readAttestation(store, pushed.descriptor);
    expect(content.layer.digest).toBe(pushed.manifest.layers[0]?.digest);
    expect(content.document).toEqual(JSON.parse(sbom.toString()));
  });

  test.each([
    { name: 'no layer', layers: 0, message: /: no predicate found: the manifest has no layer$/ },
    { name: 'two layers', layers: 2, message: /: multiple layers in predicate not supported \(2 layers\)$/ },
  ])('an artifact with $name is INVALID_ATTESTATION (the peer reads exactly one)', async ({ layers, message }) => {
    const pushed = await pushImage(store, { layers: Array.from({ length: layers }, (_, i) => text(`{"layer":${i}}`)), artifactType: 'test/layers', subject });
    await expect(readAttestation(store, pushed.descriptor)).rejects.toMatchObject({ code: 'INVALID_ATTESTATION', message: expect.stringMatching(message) });
  });

  test('a layer larger than the limit is refused before it is fetched', async () => {
    const pushed = await attach('test/large', [{ mediaType: 'application/json', bytes: new Uint8Array(MAX_ATTESTATION_BYTES + 1) }]);
    await expect(readAttestation(store, pushed.descriptor)).rejects.toMatchObject({
      code: 'INVALID_ATTESTATION',
      message: expect.stringMatching(/its layer of 16777217 bytes is larger than the limit of 16777216 bytes$/),
    });
  });

  test('lists only referrers of exactly the type, newest first by their created annotation', async () => {
    const json = { mediaType: 'application/json', bytes: text('{}') };
    const older = await attach('sbom/cyclone-dx', [json], '2026-01-01T00:00:00Z');
    const newer = await attach('sbom/cyclone-dx', [{ ...json, bytes: text('{"n":1}') }], '2026-06-01T00:00:00Z');
    await attach('sbom/cyclone-dx-other', [json], '2026-07-01T00:00:00Z');
    const listed = await listAttestations(store, subject, 'sbom/cyclone-dx');
    expect(listed.map((d) => d.digest)).toEqual([newer.descriptor.digest, older.descriptor.digest]);
    expect(await listAttestations(store, subject, 'sbom/cyclone')).toEqual([]);
  });
});
