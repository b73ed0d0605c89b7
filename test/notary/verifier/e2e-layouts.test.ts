// notation's end-to-end OCI layouts (real notation signatures) under each trust policy of notation's e2e suite.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutStore } from '../../../src/oci/index.js';
import { RevocationChecker } from '../../../src/pki/index.js';
import { parseTrustPolicyJson } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { verifyInStore } from '../../../src/notary/verifier/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { cachedKeyPair, generateTestCertificate } from '../../support/pki.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SCOPE = 'localhost:5000/test-repo';

type Layout = 'e2e' | 'e2e-valid-signature' | 'e2e-invalid-signature';
type Store = 'e2e' | 'other';

interface Case {
  layout: Layout;
  policy: string;
  store?: Store;
  scope?: string;
  code?: string;
  logged?: string[];
  level?: string;
}

const NOT_FOUND = 'SIGNATURE_NOT_FOUND';
/**
 * INDEX.md calls e2e-invalid-signature "one JWS signature whose bytes do not verify", but its
 * signature manifest's layer is `application/vnd.oci.image.layer.v1.tar` holding the text
 * "invalid signature": notation fails it in integrity ("signature envelope format ... is not
 * supported"), and so do we, with the precise code.
 */
const INVALID = 'UNSUPPORTED_SIGNATURE_FORMAT';
const cases: Case[] = [
  // INDEX.md: trustpolicy.json + ca:e2e.
  { layout: 'e2e', policy: 'trustpolicy.json', code: NOT_FOUND },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json' },
  { layout: 'e2e-invalid-signature', policy: 'trustpolicy.json', code: INVALID },
  { layout: 'e2e-valid-signature', policy: 'trustpolicy.json', store: 'other', code: 'UNTRUSTED_SIGNER' },
  // Levels (notation test/e2e/suite/trustpolicy/verification_level.go).
  { layout: 'e2e-valid-signature', policy: 'permissive_trustpolicy.json', level: 'permissive' },
  { layout: 'e2e-invalid-signature', policy: 'permissive_trustpolicy.json', code: INVALID },
  { layout: 'e2e-valid-signature', policy: 'permissive_trustpolicy.json', store: 'other', code: 'UNTRUSTED_SIGNER' },
  { layout: 'e2e', policy: 'permissive_trustpolicy.json', code: NOT_FOUND },
  { layout: 'e2e-valid-signature', policy: 'audit_trustpolicy.json', level: 'audit' },
  { layout: 'e2e-invalid-signature', policy: 'audit_trustpolicy.json', code: INVALID },
  { layout: 'e2e-valid-signature', policy: 'audit_trustpolicy.json', store: 'other', logged: ['UNTRUSTED_SIGNER'], level: 'audit' },
  { layout: 'e2e', policy: 'audit_trustpolicy.json', code: NOT_FOUND },
  { layout: 'e2e-invalid-signature', policy: 'skip_trustpolicy.json', level: 'skip' },
  { layout: 'e2e', policy: 'skip_trustpolicy.json', level: 'skip' },
  // Scopes.
  { layout: 'e2e-valid-signature', policy: 'registry_scope_trustpolicy.json', scope: SCOPE },
  { layout: 'e2e-valid-signature', policy: 'registry_scope_trustpolicy.json', scope: 'localhost:5000/other-repo', code: 'NO_APPLICABLE_TRUST_POLICY' },
  { layout: 'e2e-valid-signature', policy: 'any_registry_scope_trust_policy.json', scope: 'registry.example/any/repo' },
];

describe('notation e2e OCI layouts', () => {
  const trustStores = new Map<Store, MemoryTrustStore>();
  const revocation = new RevocationChecker({ cache: false });

  beforeAll(async () => {
    const e2e = await readFile(join(E2E, 'localkeys/e2e.crt'), 'utf8');
    // Same subject as e2e.crt, different key: the signature must not chain to it.
    const other = await generateTestCertificate({ commonName: 'e2e', keys: await cachedKeyPair('rsa-2048', 'other-e2e') });
    trustStores.set('e2e', MemoryTrustStore.fromBundles([{ type: 'ca', name: 'e2e', caBundle: e2e }]));
    trustStores.set('other', MemoryTrustStore.fromBundles([{ type: 'ca', name: 'e2e', caBundle: other.pem }]));
  });

  it.each(cases)('$layout with $policy (store $store, scope $scope) → $code', async (c) => {
    const store = await OciLayoutStore.open(join(E2E, 'oci_layout', c.layout));
    const trustPolicy = parseTrustPolicyJson(await readFile(join(E2E, 'trustpolicies', c.policy), 'utf8'));
    const scope = c.scope ?? SCOPE;
    const result = await verifyInStore(store, 'v1', scope, `${c.layout}:v1`, {
      trustPolicy,
      trustStore: trustStores.get(c.store ?? 'e2e') as MemoryTrustStore,
      revocation,
    });
    if (c.code) {
      expect(result.verified).toBe(false);
      expect(result.error?.code).toBe(c.code);
    } else {
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.level).toBe(c.level ?? 'strict');
      if (c.level !== 'skip') expect(result.signature?.errors.map((e) => e.code)).toEqual(c.logged ?? []);
    }
    if (c.code !== 'NO_APPLICABLE_TRUST_POLICY') expect(result.digest).toBe(DIGEST);
    if (c.code === INVALID) {
      expect(result.results[0]?.validations).toEqual([
        {
          type: 'integrity',
          action: 'enforce',
          passed: false,
          error: { code: INVALID, message: expect.stringMatching(/^signature envelope media type "application\/vnd\.oci\.image\.layer\.v1\.tar" is not supported/) },
        },
      ]);
    }
    if (c.code === NOT_FOUND) {
      expect(result.error?.message).toBe(`no signature is associated with "${scope}@${DIGEST}", make sure the artifact was signed successfully`);
    }
  });

  it('the passing signature is the image-form manifest notation pushed, with e2e.crt as its chain', async () => {
    const store = await OciLayoutStore.open(join(E2E, 'oci_layout', 'e2e-valid-signature'));
    const trustPolicy = parseTrustPolicyJson(await readFile(join(E2E, 'trustpolicies', 'trustpolicy.json'), 'utf8'));
    const result = await verifyInStore(store, DIGEST, SCOPE, `e2e-valid-signature@${DIGEST}`, {
      trustPolicy,
      trustStore: trustStores.get('e2e') as MemoryTrustStore,
      revocation,
    });
    expect(result.verified).toBe(true);
    expect(result.signature).toMatchObject({
      signatureDigest: 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
      signatureMediaType: 'application/jose+json',
      signingScheme: 'notary.x509',
      certificateChain: ['C=US, ST=WA, L=Seattle, O=Notary, CN=e2e'],
      revocation: [{ status: 'skipped' }],
    });
  });
});
