// notation-go's mock envelopes through full policy evaluation: every validation, level and plugin outcome with its exact code.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/types.js';
import { PluginDirectory } from '../../../src/notary/plugin/index.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { FileTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_JWS, type ImageVerificationResult, type VerificationLevelName } from '../../../src/notary/types.js';
import { verifyArtifact, verifyImage, type VerifyArtifactOptions } from '../../../src/notary/verifier/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { UNITTEST_MOCK_PLUGIN, installPluginDouble } from '../plugin/plugin-double.js';
import { ArtifactStoreDouble } from './store-double.js';

const ENVELOPES = join(NOTARY_FIXTURES, 'notation-go/mock-envelopes');
const VERIFIER_TESTDATA = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata');
const REPOSITORY = 'localhost:5000/net-monitor';

/** What the envelopes sign (notation-go internal/mock: ImageDescriptor, TestImageDescriptor, MetadataSigEnvDescriptor). */
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const SAMPLE: Descriptor = { mediaType: DOCKER_MANIFEST, digest: 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e', size: 528 };
const TEST_IMAGE: Descriptor = { mediaType: DOCKER_MANIFEST, digest: 'sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f', size: 942 };
const METADATA_IMAGE: Descriptor = { mediaType: DOCKER_MANIFEST, digest: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b', size: 942 };

const ROOT_IDENTITY = 'x509.subject: CN=Notation Test Root,O=Notary,L=Seattle,ST=WA,C=US';
const WABBIT_IDENTITY = 'x509.subject: CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US';

function policy(overrides: { level?: VerificationLevelName; trustStores?: string[]; trustedIdentities?: string[]; override?: Record<string, string> } = {}) {
  const level = overrides.level ?? 'strict';
  return parseTrustPolicyDocument({
    version: '1.0',
    trustPolicies: [
      {
        name: 'test-statement-name',
        registryScopes: [REPOSITORY],
        signatureVerification: { level, ...(overrides.override ? { override: overrides.override } : {}) },
        ...(level === 'skip'
          ? {}
          : {
              trustStores: overrides.trustStores ?? ['ca:valid-trust-store', 'signingAuthority:valid-trust-store'],
              trustedIdentities: overrides.trustedIdentities ?? [ROOT_IDENTITY, WABBIT_IDENTITY],
            }),
      },
    ],
  });
}

async function envelope(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(ENVELOPES, name)));
}

interface Case {
  name: string;
  envelope: string;
  target?: Descriptor;
  level?: VerificationLevelName;
  trustStores?: string[];
  trustedIdentities?: string[];
  override?: Record<string, string>;
  pluginConfig?: Record<string, string>;
  userMetadata?: Record<string, string>;
  now?: string;
  /** undefined: verified. */
  code?: string;
  message?: string | RegExp;
  /** Codes of failures that were only logged. */
  logged?: string[];
}

const LEVELS: VerificationLevelName[] = ['strict', 'permissive', 'audit'];

const cases: Case[] = [
  ...LEVELS.flatMap((level): Case[] => [
    { name: `${level}: ca valid`, envelope: 'ca_valid_sig_env.json', level },
    { name: `${level}: sa valid`, envelope: 'sa_valid_sig_env.json', level },
    { name: `${level}: ca invalid signature`, envelope: 'ca_invalid_sig_env.json', level, code: 'INVALID_SIGNATURE' },
    { name: `${level}: sa invalid signature`, envelope: 'sa_invalid_sig_env.json', level, code: 'INVALID_SIGNATURE' },
  ]),
  // Expiry is enforced by strict only.
  { name: 'strict: ca expired', envelope: 'ca_expired_sig_env.json', code: 'SIGNATURE_EXPIRED', message: 'digital signature has expired on "Fri, 29 Jul 2022 23:59:00 GMT"' },
  { name: 'strict: sa expired', envelope: 'sa_expired_sig_env.json', code: 'SIGNATURE_EXPIRED' },
  { name: 'permissive: ca expired is logged', envelope: 'ca_expired_sig_env.json', level: 'permissive', logged: ['SIGNATURE_EXPIRED'] },
  { name: 'audit: sa expired is logged', envelope: 'sa_expired_sig_env.json', level: 'audit', logged: ['SIGNATURE_EXPIRED'] },
  { name: 'strict override expiry=log', envelope: 'ca_expired_sig_env.json', override: { expiry: 'log' }, logged: ['SIGNATURE_EXPIRED'] },
  // Authenticity: trust store without the signer's root; identity mismatch.
  ...LEVELS.map(
    (level): Case => ({
      name: `${level}: untrusted signer`,
      envelope: 'ca_valid_sig_env.json',
      level,
      trustStores: ['ca:valid-trust-store-2', 'signingAuthority:valid-trust-store-2'],
      ...(level === 'audit' ? { logged: ['UNTRUSTED_SIGNER'] } : { code: 'UNTRUSTED_SIGNER', message: /^signature is not produced by a trusted signer/ }),
    }),
  ),
  ...LEVELS.map(
    (level): Case => ({
      name: `${level}: identity mismatch`,
      envelope: 'sa_valid_sig_env.json',
      level,
      trustedIdentities: ['x509.subject:CN=LOL,O=DummyOrg,L=Hyderabad,ST=TG,C=IN'],
      ...(level === 'audit' ? { logged: ['UNTRUSTED_IDENTITY'] } : { code: 'UNTRUSTED_IDENTITY' }),
    }),
  ),
  {
    name: 'trust stores of a statement are merged',
    envelope: 'ca_valid_sig_env.json',
    trustStores: ['ca:valid-trust-store-2', 'ca:valid-trust-store', 'signingAuthority:valid-trust-store-2'],
  },
  {
    name: 'strict override authenticity=log',
    envelope: 'ca_valid_sig_env.json',
    trustStores: ['ca:valid-trust-store-2'],
    override: { authenticity: 'log' },
    logged: ['UNTRUSTED_SIGNER'],
  },
  {
    name: 'audit override authenticity=enforce',
    envelope: 'ca_valid_sig_env.json',
    level: 'audit',
    trustStores: ['ca:valid-trust-store-2'],
    override: { authenticity: 'enforce' },
    code: 'UNTRUSTED_SIGNER',
  },
  { name: 'sa signature with only a ca store', envelope: 'sa_valid_sig_env.json', trustStores: ['ca:valid-trust-store'], code: 'UNTRUSTED_SIGNER' },
  { name: 'missing named trust store', envelope: 'ca_valid_sig_env.json', trustStores: ['ca:no-such-store'], code: 'INVALID_TRUST_STORE' },
  { name: 'target artifact mismatch', envelope: 'ca_valid_sig_env.json', target: TEST_IMAGE, code: 'TARGET_ARTIFACT_MISMATCH' },
  {
    name: 'target mismatch is not levelled (audit)',
    envelope: 'ca_valid_sig_env.json',
    target: { ...SAMPLE, size: 529 },
    level: 'audit',
    code: 'TARGET_ARTIFACT_MISMATCH',
  },
  // Verification plugins (the double is installed as plugin-name and as the unittest mock).
  { name: 'ca plugin signature, plugin verifies identity', envelope: 'ca_plugin_sig_env.json' },
  { name: 'sa plugin signature, plugin verifies identity', envelope: 'sa_plugin_sig_env.json' },
  {
    name: 'plugin fails trusted identity',
    envelope: 'ca_plugin_sig_env.json',
    pluginConfig: { trustedIdentity: 'fail:i feel like failing today' },
    code: 'UNTRUSTED_IDENTITY',
    message: 'trusted identity verification by plugin "plugin-name" failed with reason "i feel like failing today"',
  },
  {
    name: 'plugin identity failure is logged at audit',
    envelope: 'ca_plugin_sig_env.json',
    level: 'audit',
    pluginConfig: { trustedIdentity: 'fail:nope' },
    logged: ['UNTRUSTED_IDENTITY'],
  },
  {
    name: 'plugin revocation check fails',
    envelope: 'ca_plugin_sig_env.json',
    pluginConfig: { capabilities: 'SIGNATURE_VERIFIER.REVOCATION_CHECK', revocation: 'fail:revoked by the plugin' },
    code: 'CERTIFICATE_REVOKED',
  },
  {
    name: 'plugin revocation failure is logged at permissive',
    envelope: 'ca_plugin_sig_env.json',
    level: 'permissive',
    pluginConfig: { capabilities: 'SIGNATURE_VERIFIER.REVOCATION_CHECK', revocation: 'fail:revoked by the plugin' },
    logged: ['CERTIFICATE_REVOKED'],
  },
  {
    name: 'revocation skipped: plugin with only revocation capability cannot process SomeKey',
    envelope: 'ca_plugin_sig_env.json',
    override: { revocation: 'skip' },
    pluginConfig: { capabilities: 'SIGNATURE_VERIFIER.REVOCATION_CHECK' },
    code: 'UNKNOWN_CRITICAL_ATTRIBUTE',
  },
  { name: 'plugin does not process SomeKey', envelope: 'ca_plugin_sig_env.json', pluginConfig: { processed: '' }, code: 'UNKNOWN_CRITICAL_ATTRIBUTE' },
  {
    name: 'plugin without verification capability',
    envelope: 'ca_plugin_sig_env.json',
    pluginConfig: { capabilities: 'SIGNATURE_GENERATOR.RAW' },
    code: 'PLUGIN_REQUIRED',
    message: 'digital signature requires plugin "plugin-name" with signature verification capabilities ("SIGNATURE_VERIFIER.TRUSTED_IDENTITY" and/or "SIGNATURE_VERIFIER.REVOCATION_CHECK") installed',
  },
  { name: 'plugin answers garbage', envelope: 'ca_plugin_sig_env.json', pluginConfig: { behaviour: 'garbage' }, code: 'PLUGIN_ERROR' },
  { name: 'plugin returns an unrequested result', envelope: 'ca_plugin_sig_env.json', pluginConfig: { behaviour: 'extra-result' }, code: 'PLUGIN_ERROR' },
  ...['0.0.9', '1.0.0-alpha', '1.0.0-alpha.beta', '1.0.0'].map(
    (version): Case => ({ name: `compatible plugin version ${version}`, envelope: `ca_compatible_pluginver_sig_env_${version}.json`, target: TEST_IMAGE }),
  ),
  ...['1.0.1', '1.0.9', '1.1.0-alpha', '1.2.3'].map(
    (version): Case => ({
      name: `incompatible plugin version ${version}`,
      envelope: `ca_incompatible_pluginver_sig_env_${version}.json`,
      target: TEST_IMAGE,
      code: 'PLUGIN_REQUIRED',
      message: `found plugin ${UNITTEST_MOCK_PLUGIN} with version 1.0.0 but signature verification needs plugin version greater than or equal to ${version}`,
    }),
  ),
  // User metadata (the envelope's self-signed certificate was valid on 2023-01-11 only).
  {
    name: 'user metadata present',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    now: '2023-01-11T12:00:00Z',
    userMetadata: { 'io.wabbit-networks.buildId': '123' },
  },
  {
    name: 'user metadata value differs',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    now: '2023-01-11T12:00:00Z',
    userMetadata: { 'io.wabbit-networks.buildId': '321' },
    code: 'USER_METADATA_MISMATCH',
    message: 'unable to find specified metadata in the signature: io.wabbit-networks.buildId=321',
  },
  {
    name: 'user metadata key missing (audit still enforces it)',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    level: 'audit',
    now: '2023-01-11T12:00:00Z',
    userMetadata: { team: 'blue' },
    code: 'USER_METADATA_MISMATCH',
  },
  // Clock edge (issue 14): the envelope's certificate has notAfter 2023-01-12T00:52:12Z.
  {
    name: 'signing certificate 1 s before its notAfter verifies',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    now: '2023-01-12T00:52:11Z',
  },
  {
    name: 'signing certificate 1 s after its notAfter is expired',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    now: '2023-01-12T00:52:13Z',
    code: 'CERTIFICATE_EXPIRED',
  },
  {
    name: 'expired signing certificate without timestamp',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    code: 'CERTIFICATE_EXPIRED',
  },
  {
    name: 'expired signing certificate logged at permissive',
    envelope: 'sig_env_with_metadata.json',
    target: METADATA_IMAGE,
    trustStores: ['ca:metadata'],
    level: 'permissive',
    logged: ['CERTIFICATE_EXPIRED'],
  },
];

describe('notation-go mock envelopes', () => {
  let configDir: string;
  let plugins: PluginDirectory;

  beforeAll(async () => {
    // A config dir with notation-go's trust stores plus one holding the metadata envelope's own certificate.
    configDir = await mkdtemp(join(tmpdir(), 'imgverify-mock-envelopes-'));
    const x509 = join(configDir, 'truststore', 'x509');
    for (const [type, name] of [
      ['ca', 'valid-trust-store'],
      ['ca', 'valid-trust-store-2'],
      ['signingAuthority', 'valid-trust-store'],
      ['signingAuthority', 'valid-trust-store-2'],
    ] as const) {
      const dir = join(x509, type, name);
      await mkdir(dir, { recursive: true });
      const source = join(VERIFIER_TESTDATA, 'truststore/x509', type, name);
      for (const file of ['GlobalSign.der', 'GlobalSignRootCA.crt', 'NotationTestRoot.pem', 'wabbit-networks.io.crt']) {
        await readFile(join(source, file)).then((bytes) => writeFile(join(dir, file), bytes), () => undefined);
      }
    }
    const metadataEnvelope = JSON.parse(await readFile(join(ENVELOPES, 'sig_env_with_metadata.json'), 'utf8')) as { header: { x5c: string[] } };
    await mkdir(join(x509, 'ca', 'metadata'), { recursive: true });
    await writeFile(join(x509, 'ca', 'metadata', 'leaf.der'), Buffer.from(metadataEnvelope.header.x5c[0] as string, 'base64'));
    const pluginsDir = join(configDir, 'plugins');
    await installPluginDouble(pluginsDir, 'plugin-name');
    await installPluginDouble(pluginsDir, UNITTEST_MOCK_PLUGIN);
    plugins = new PluginDirectory(pluginsDir);
  });
  afterAll(async () => {
    await rm(configDir, { recursive: true, force: true });
  });

  function options(c: Pick<Case, 'level' | 'trustStores' | 'trustedIdentities' | 'override' | 'pluginConfig' | 'userMetadata' | 'now'>): VerifyArtifactOptions {
    return {
      trustPolicy: policy(c),
      trustStore: new FileTrustStore(configDir),
      repository: REPOSITORY,
      plugins,
      pluginConfig: c.pluginConfig,
      userMetadata: c.userMetadata,
      now: c.now ? new Date(c.now) : undefined,
    };
  }

  it('a verdict 1 s before the certificate expires is valid until its notAfter (the cache keeps it no longer)', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(METADATA_IMAGE, 'v1');
    store.addSignature(METADATA_IMAGE, MEDIA_TYPE_JWS, await envelope('sig_env_with_metadata.json'));
    const result = await verifyArtifact(store, METADATA_IMAGE, options({ trustStores: ['ca:metadata'], now: '2023-01-12T00:52:11Z' }));
    expect(result.verified).toBe(true);
    expect(result.signature?.validUntil).toBe('2023-01-12T00:52:12.000Z');
  });

  it.each(cases)('$name', async (c) => {
    const target = c.target ?? SAMPLE;
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(target, 'v1');
    store.addSignature(target, MEDIA_TYPE_JWS, await envelope(c.envelope));
    const result = await verifyArtifact(store, target, options(c));
    if (c.code === undefined) {
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.signature?.verified).toBe(true);
      expect(result.signature?.errors.map((e) => e.code)).toEqual(c.logged ?? []);
    } else {
      expect(result.verified).toBe(false);
      expect(result.error?.code).toBe(c.code);
      expect(result.results).toHaveLength(1);
      expect(result.results[0]?.errors.at(-1)?.code).toBe(c.code);
      if (typeof c.message === 'string') expect(result.results[0]?.errors.at(-1)?.message).toBe(c.message);
      else if (c.message) expect(result.results[0]?.errors.at(-1)?.message).toMatch(c.message);
    }
    expect(result.digest).toBe(target.digest);
  });

  it('reports the signature details of a pass', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    const manifest = store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('sa_valid_sig_env.json'), { form: 'image' });
    const result = await verifyArtifact(store, SAMPLE, options({}));
    expect(result).toMatchObject({
      verified: true,
      digest: SAMPLE.digest,
      verifiedReference: `${REPOSITORY}@${SAMPLE.digest}`,
      level: 'strict',
      signature: {
        signatureDigest: manifest.digest,
        signatureMediaType: MEDIA_TYPE_JWS,
        signingScheme: 'notary.x509.signingAuthority',
        authenticSigningTime: '2020-11-09T07:00:00.000Z',
        expiry: '2120-11-09T07:00:00.000Z',
        trustPolicyStatement: 'test-statement-name',
        certificateChain: ['C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root', 'C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root'],
      },
    });
    expect(result.signature?.validations.map((v) => [v.type, v.action, v.passed])).toEqual([
      ['integrity', 'enforce', true],
      ['authenticity', 'enforce', true],
      ['expiry', 'enforce', true],
      ['authenticTimestamp', 'enforce', true],
      ['revocation', 'enforce', true],
    ]);
    // The chain names no OCSP or CRL location: not revocable, no checker needed.
    expect(result.signature?.revocation?.map((r) => r.status)).toEqual(['skipped', 'skipped']);
  });

  it('unsigned artifact → SIGNATURE_NOT_FOUND with notation\'s message', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    const result = await verifyArtifact(store, SAMPLE, options({}));
    expect(result.error).toEqual({
      code: 'SIGNATURE_NOT_FOUND',
      message: `no signature is associated with "${REPOSITORY}@${SAMPLE.digest}", make sure the artifact was signed successfully`,
    });
  });

  it('skip level verifies without reading signatures', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE, 'v1');
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_invalid_sig_env.json'));
    const result = await verifyImage(`${REPOSITORY}:v1`, { ...options({ level: 'skip' }), store });
    expect(result).toMatchObject({ verified: true, level: 'skip', digest: SAMPLE.digest, results: [] });
    expect(store.calls).toMatchObject({ resolve: 1, referrers: 0, fetchManifest: 0, fetchBlob: 0 });
  });

  it('tries signatures newest first; the first that passes wins', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE, 'v1');
    const valid = store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_valid_sig_env.json'), { created: '2023-01-01T00:00:00Z' });
    const invalid = store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_invalid_sig_env.json'), { created: '2024-01-01T00:00:00Z', form: 'image' });
    const result = await verifyImage(`${REPOSITORY}:v1`, { ...options({}), store });
    expect(result.verified).toBe(true);
    expect(result.results.map((r) => [r.signatureDigest, r.verified])).toEqual([
      [invalid.digest, false],
      [valid.digest, true],
    ]);
    expect(result.signature?.signatureDigest).toBe(valid.digest);
    expect(store.calls.resolve).toBe(1);
  });

  it('stops at maxSignatures with SIGNATURE_LIMIT_EXCEEDED', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_valid_sig_env.json'), { created: '2023-01-01T00:00:00Z' });
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_invalid_sig_env.json'), { created: '2024-01-01T00:00:00Z' });
    const result = await verifyArtifact(store, SAMPLE, { ...options({}), maxSignatures: 1 });
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('SIGNATURE_LIMIT_EXCEEDED');
    expect(result.results).toHaveLength(1);
  });

  it('all signatures fail: the deciding error names the artifact', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_invalid_sig_env.json'), { created: '2024-01-01T00:00:00Z' });
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_expired_sig_env.json'), { created: '2023-01-01T00:00:00Z' });
    const result = await verifyArtifact(store, SAMPLE, options({}));
    expect(result.error?.code).toBe('INVALID_SIGNATURE');
    expect(result.error?.message).toMatch(new RegExp(`^signature verification failed for all the signatures associated with ${REPOSITORY}@${SAMPLE.digest}`));
    expect(result.results.map((r) => r.errors[0]?.code)).toEqual(['INVALID_SIGNATURE', 'SIGNATURE_EXPIRED']);
  });

  it.each([
    { name: 'two layers', layers: 2, mediaType: MEDIA_TYPE_JWS, code: 'MALFORMED_SIGNATURE' },
    { name: 'unsupported envelope media type', layers: 1, mediaType: 'application/unsupported+json', code: 'UNSUPPORTED_SIGNATURE_FORMAT' },
  ])('signature manifest with $name → $code', async ({ layers, mediaType, code }) => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    const bytes = await envelope('ca_valid_sig_env.json');
    const good = store.addSignature({ ...SAMPLE, digest: 'sha256:' + '0'.repeat(64) }, MEDIA_TYPE_JWS, bytes);
    void good;
    const blob = { mediaType, digest: 'sha256:' + '1'.repeat(64), size: 1 };
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, bytes, { layers: Array.from({ length: layers }, () => blob) });
    const result = await verifyArtifact(store, SAMPLE, options({}));
    expect(result.error?.code).toBe(code);
  });

  it('a signature manifest whose subject is another artifact is refused', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE);
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_valid_sig_env.json'), { subject: TEST_IMAGE });
    const result = await verifyArtifact(store, SAMPLE, options({}));
    expect(result.error?.code).toBe('MALFORMED_SIGNATURE');
  });

  it('no applicable trust policy → NO_APPLICABLE_TRUST_POLICY', async () => {
    const store = new ArtifactStoreDouble('registry.example/other');
    store.addArtifact(SAMPLE);
    const result = await verifyArtifact(store, SAMPLE, { ...options({}), repository: 'registry.example/other' });
    expect(result.error?.code).toBe('NO_APPLICABLE_TRUST_POLICY');
  });

  it('an aborted signal → VERIFICATION_TIMEOUT, never a pass', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE, 'v1');
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_valid_sig_env.json'));
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const results: ImageVerificationResult[] = [
      await verifyImage(`${REPOSITORY}:v1`, { ...options({}), store, signal: controller.signal }),
      await verifyArtifact(store, SAMPLE, { ...options({}), signal: controller.signal }),
    ];
    for (const result of results) {
      expect(result.verified).toBe(false);
      expect(result.error?.code).toBe('VERIFICATION_TIMEOUT');
    }
  });

  it('a deadline passing mid-verification (hanging plugin) → VERIFICATION_TIMEOUT', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(SAMPLE, 'v1');
    store.addSignature(SAMPLE, MEDIA_TYPE_JWS, await envelope('ca_plugin_sig_env.json'));
    const started = Date.now();
    const result = await verifyImage(`${REPOSITORY}:v1`, {
      ...options({ pluginConfig: { behaviour: 'hang' } }),
      store,
      signal: AbortSignal.timeout(300),
    });
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('VERIFICATION_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('an invalid reference → INVALID_REFERENCE', async () => {
    const result = await verifyImage('Not A Reference', { ...options({}), store: new ArtifactStoreDouble() });
    expect(result.error?.code).toBe('INVALID_REFERENCE');
  });
});
