// verifyAttestations on an OCI layout with real Notary signatures: which artifact decides, the bounds, and the reasons.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_REQUIRED_TYPES, verifyAttestations, type AttestationRequirement, type AttestationVerifierOptions } from '../../src/attest/index.js';
import { compileNotaryPolicy, notaryVerdict, signArtifact, verifyArtifact } from '../../src/notary/index.js';
import { ANNOTATION_CREATED, OciLayoutStore, pushArtifact, pushImage, type Descriptor } from '../../src/oci/index.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';

const fixture = (name: string) => readFile(join(import.meta.dirname, '../fixtures/attest', name));
const NO_GPL = { all: [{ key: '{{ element.components[].licenses[].expression }}', operator: 'AllNotIn', value: ['GPL-2.0', 'GPL-3.0'], message: 'GPL found' }] };

let dir: string;
let store: OciLayoutStore;
let chain: GeneratedChain;
let options: AttestationVerifierOptions;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-attest-verify-'));
  store = await OciLayoutStore.open(dir, { create: true });
  chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'attest unit signer', leaf: { keys: await cachedKeyPair('ec-256', 'attest-unit') } });
  const policy = compileNotaryPolicy({
    name: 'unit',
    cacheKey: 'unit',
    version: '1.0',
    trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:unit'], trustedIdentities: ['*'] }],
    trustStores: [{ type: 'ca', name: 'unit', caBundle: chain.root.pem }],
    source: 'test',
  });
  options = {
    verifySignature: async (artifact, signal) =>
      notaryVerdict(await verifyArtifact(store, artifact, { trustPolicy: policy.document, trustStore: policy.trustStore, signal })),
    policyKey: policy.cacheKey,
  };
}, 30_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function subjectImage(name: string): Promise<Descriptor> {
  return (await pushImage(store, { tag: name, layers: [new TextEncoder().encode(name)] })).descriptor;
}

async function attach(subject: Descriptor, type: string, bytes: Uint8Array, created: string, sign = true): Promise<string> {
  const pushed = await pushArtifact(store, { artifactType: type, subject, blobs: [{ mediaType: 'application/json', bytes }], annotations: { [ANNOTATION_CREATED]: created } });
  if (sign) await signArtifact(store, pushed.descriptor.digest, { key: chain.leaf.privateKey, certificateChain: chain.chain });
  return pushed.descriptor.digest;
}

const verify = (descriptor: Descriptor, requirements: AttestationRequirement[], extra: Partial<AttestationVerifierOptions> = {}) =>
  verifyAttestations({ store, repository: 'layout/app', descriptor }, requirements, { ...options, ...extra }, new AbortController().signal);

describe('which artifact decides', () => {
  test('the newest trusted one is read: unreadable content fails even though an older one would pass', async () => {
    const subject = await subjectImage('unreadable');
    await attach(subject, 'sbom', await fixture('../conditions/sbom-cyclonedx.json'), '2026-01-01T00:00:00Z');
    const newest = await attach(subject, 'sbom', new TextEncoder().encode('{not json'), '2026-02-01T00:00:00Z');
    const result = await verify(subject, [{ type: 'sbom', conditions: [NO_GPL] }]);
    expect(result.verified).toBe(false);
    expect(result.error).toEqual({
      code: 'INVALID_ATTESTATION',
      message: expect.stringMatching(new RegExp(`^attestation sbom of layout/app@${subject.digest} \\(${newest}\\): attestation .* \\(application/json\\) is not valid JSON: `)),
    });
    expect(result.evidence[0]).toMatchObject({ type: 'sbom', found: 2, artifact: newest, outcomes: [{ artifact: newest, trusted: true, passed: false }] });
  });

  test('untrusted ones are tried newest first up to the limit, then the type is not signed by a trusted signer', async () => {
    const subject = await subjectImage('untrusted');
    const digests = [];
    for (const month of ['01', '02', '03']) digests.push(await attach(subject, 'sbom', new TextEncoder().encode(`{"m":"${month}"}`), `2026-${month}-01T00:00:00Z`, false));
    const result = await verify(subject, [{ type: 'sbom', conditions: [] }], { maxCandidates: 2 });
    expect(result.error?.code).toBe('ATTESTATION_UNTRUSTED');
    expect(result.error?.message).toMatch(/ is not signed by a trusted signer \(the newest 2 of 3 were tried\): the newest one failed with: no signature is associated with /);
    expect(result.evidence[0]?.outcomes.map((o) => o.artifact)).toEqual([digests[2], digests[1]]);
  });
});

test(`more than ${MAX_REQUIRED_TYPES} required types fail closed before any registry request`, async () => {
  const subject = await subjectImage('many-types');
  const requirements = Array.from({ length: MAX_REQUIRED_TYPES + 1 }, (_, i) => ({ type: `t${i}`, conditions: [] }));
  expect(await verify(subject, requirements)).toEqual({
    verified: false,
    error: { code: 'INVALID_ATTESTATION', message: `65 attestation types are required of one image; the limit is ${MAX_REQUIRED_TYPES}` },
    evidence: [],
  });
});

test('an in-toto statement: the predicate is what the conditions see', async () => {
  const subject = await subjectImage('in-toto');
  const statement = await fixture('sbom-permissive.intoto.json');
  await attach(subject, 'https://cyclonedx.org/bom', statement, '2026-01-01T00:00:00Z');
  const version = { all: [{ key: '{{ creationInfo.licenseListVersion }}', operator: 'Equals', value: '3.17' }] };
  const result = await verify(subject, [{ type: 'https://cyclonedx.org/bom', conditions: [version, NO_GPL] }]);
  expect(result).toMatchObject({ verified: true, evidence: [{ kind: 'attestation', verified: true, errors: [] }] });
  const predicateType = { all: [{ key: '{{ predicateType }}', operator: 'Equals', value: 'https://cyclonedx.org/bom' }] };
  const outside = await verify(subject, [{ type: 'https://cyclonedx.org/bom', conditions: [predicateType] }]);
  expect(outside.verified).toBe(false);
  expect(outside.error?.message).toMatch(/failed to evaluate conditions: .*predicateType/);
});
