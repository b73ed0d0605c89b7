// notation-go's timestamped envelopes (verifier-testdata/timestamp) with the tsa trust stores: authentic timestamp rules end to end.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/types.js';
import { createNotaryPayload, parseEnvelope, signEnvelope } from '../../../src/notary/envelope/index.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type RevocationStatus } from '../../../src/notary/types.js';
import { verifyArtifact } from '../../../src/notary/verifier/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { cachedKeyPair, generateCertificateChain, issueCertificate, type CertificateOptions } from '../../support/pki.js';
import { issueToken } from '../../support/tsa-double.js';
import { RevocationDouble } from './revocation-double.js';
import { ArtifactStoreDouble } from './store-double.js';

const TESTDATA = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata');
const SIG_ENV = join(TESTDATA, 'timestamp/sigEnv');
const REPOSITORY = 'localhost:5000/alpine';
const TARGET: Descriptor = {
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  digest: 'sha256:c0669ef34cdc14332c0f1ab0c2c01acb91d96014b172f1a76f3a39e63d1f0bda',
  size: 528,
};
const FILES: Record<string, string> = {
  jwsWithTimestamp: MEDIA_TYPE_JWS,
  jwsExpiredWithTimestamp: MEDIA_TYPE_JWS,
  coseWithTimestamp: MEDIA_TYPE_COSE,
  coseExpiredWithTimestamp: MEDIA_TYPE_COSE,
  withoutTimestamp: MEDIA_TYPE_JWS,
  timestampAfterNotAfter: MEDIA_TYPE_COSE,
  timestampBeforeNotBefore: MEDIA_TYPE_JWS,
};

function pem(der: Uint8Array): string {
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

interface Case {
  name: string;
  file: string;
  tsa?: string | null;
  verifyTimestamp?: 'always' | 'afterCertExpiry';
  level?: 'strict' | 'permissive';
  tsaStatus?: RevocationStatus;
  /** Replace the JWS timestamp token with this countersignature fixture. */
  token?: string;
  code?: string;
  message?: RegExp;
  logged?: string[];
  authenticSigningTime?: boolean;
}

const cases: Case[] = [
  { name: 'JWS with timestamp', file: 'jwsWithTimestamp', authenticSigningTime: true },
  { name: 'COSE with timestamp', file: 'coseWithTimestamp', authenticSigningTime: true },
  { name: 'JWS, expired signing certificate, timestamp inside its validity', file: 'jwsExpiredWithTimestamp', authenticSigningTime: true },
  { name: 'COSE, expired signing certificate, timestamp inside its validity', file: 'coseExpiredWithTimestamp', authenticSigningTime: true },
  {
    name: 'expired certificate and no tsa store: the chain must be valid now',
    file: 'coseExpiredWithTimestamp',
    tsa: null,
    code: 'CERTIFICATE_EXPIRED',
  },
  { name: 'afterCertExpiry with an expired chain verifies the timestamp', file: 'jwsExpiredWithTimestamp', verifyTimestamp: 'afterCertExpiry', authenticSigningTime: true },
  {
    name: 'afterCertExpiry with a valid chain skips the timestamp (TSA revocation not consulted)',
    file: 'jwsWithTimestamp',
    verifyTimestamp: 'afterCertExpiry',
    tsaStatus: 'revoked',
  },
  { name: 'no timestamp where one is required', file: 'withoutTimestamp', code: 'TIMESTAMP_MISSING', message: /^no timestamp countersignature was found in the signature envelope$/ },
  { name: 'no timestamp, permissive: logged', file: 'withoutTimestamp', level: 'permissive', logged: ['TIMESTAMP_MISSING'] },
  { name: 'timestamp after the certificate expired', file: 'timestampAfterNotAfter', code: 'CERTIFICATE_EXPIRED' },
  { name: 'timestamp before the certificate was valid', file: 'timestampBeforeNotBefore', code: 'CERTIFICATE_EXPIRED' },
  { name: 'TSA root not in the tsa store', file: 'jwsWithTimestamp', tsa: 'test-mismatch', code: 'UNTRUSTED_TIMESTAMP' },
  { name: 'TSA certificate revoked', file: 'jwsWithTimestamp', tsaStatus: 'revoked', code: 'CERTIFICATE_REVOKED', message: /^timestamping certificate with subject ".*" is revoked$/ },
  { name: 'TSA revocation unknown', file: 'jwsWithTimestamp', tsaStatus: 'unknown', code: 'REVOCATION_UNKNOWN' },
  { name: 'TSA revoked, permissive: logged', file: 'jwsWithTimestamp', level: 'permissive', tsaStatus: 'revoked', logged: ['CERTIFICATE_REVOKED'] },
  { name: 'token of another signature (imprint mismatch)', file: 'jwsWithTimestamp', token: 'TimeStampToken.p7s', code: 'INVALID_TIMESTAMP' },
  { name: 'token with an invalid TSTInfo', file: 'jwsWithTimestamp', token: 'TimeStampTokenWithInvalidTSTInfo.p7s', code: 'INVALID_TIMESTAMP' },
  { name: 'token with a wrong content type', file: 'jwsWithTimestamp', token: 'TimeStampTokenWithInvalideContentType.p7s', code: 'INVALID_TIMESTAMP' },
  { name: 'token without certificates', file: 'jwsWithTimestamp', token: 'TimeStampTokenWithoutCertificate.p7s', code: 'INVALID_TIMESTAMP' },
];

describe('timestamped envelopes', () => {
  const envelopes = new Map<string, Uint8Array>();
  let signers: string;
  const tsaStores = new Map<string, Uint8Array>();

  beforeAll(async () => {
    const leaves: string[] = [];
    for (const [file, mediaType] of Object.entries(FILES)) {
      const bytes = new Uint8Array(await readFile(join(SIG_ENV, `${file}.sig`)));
      envelopes.set(file, bytes);
      const chain = parseEnvelope(mediaType, bytes).content().signerInfo.certificateChain;
      leaves.push(pem(chain[chain.length - 1] as Uint8Array));
    }
    signers = [...new Set(leaves)].join('');
    for (const name of ['test-timestamp', 'test-mismatch']) {
      const dir = join(TESTDATA, 'truststore/x509/tsa', name);
      const file = name === 'test-timestamp' ? 'globalsignRoot.cer' : 'DigiCertTSARootSHA384.cer';
      tsaStores.set(name, new Uint8Array(await readFile(join(dir, file))));
    }
  });

  async function envelopeFor(c: Case): Promise<Uint8Array> {
    const bytes = envelopes.get(c.file) as Uint8Array;
    if (!c.token) return bytes;
    // The timestamp is an unsigned header: replacing it leaves the JWS signature intact.
    const jws = JSON.parse(Buffer.from(bytes).toString('utf8')) as { header: Record<string, unknown> };
    jws.header['io.cncf.notary.timestampSignature'] = (await readFile(join(TESTDATA, 'timestamp/countersignature', c.token))).toString('base64');
    return new Uint8Array(Buffer.from(JSON.stringify(jws)));
  }

  it.each(cases)('$name', async (c) => {
    const tsa = c.tsa === undefined ? 'test-timestamp' : c.tsa;
    const trustStore = MemoryTrustStore.fromBundles([
      { type: 'ca', name: 'signers', caBundle: signers },
      ...(tsa ? [{ type: 'tsa' as const, name: tsa, caBundle: tsaStores.get(tsa) as Uint8Array }] : []),
    ]);
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [
        {
          name: 'timestamp',
          registryScopes: ['*'],
          signatureVerification: { level: c.level ?? 'strict', ...(c.verifyTimestamp ? { verifyTimestamp: c.verifyTimestamp } : {}) },
          trustStores: ['ca:signers', ...(tsa ? [`tsa:${tsa}`] : [])],
          trustedIdentities: ['*'],
        },
      ],
    });
    const revocation = new RevocationDouble(c.tsaStatus ? [{ subjectIncludes: 'Timestamp', status: c.tsaStatus }, { subjectIncludes: 'TSA', status: c.tsaStatus }] : []);
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    store.addSignature(TARGET, FILES[c.file] as string, await envelopeFor(c));
    const result = await verifyArtifact(store, TARGET, { trustPolicy, trustStore, revocation, repository: REPOSITORY });
    if (c.code) {
      expect(result.error?.code).toBe(c.code);
      if (c.message) expect(result.error?.message).toMatch(c.message);
      expect(result.results[0]?.validations.find((v) => !v.passed)?.type).toBe(c.code === 'CERTIFICATE_EXPIRED' || c.code.includes('TIMESTAMP') || c.tsaStatus ? 'authenticTimestamp' : 'integrity');
    } else {
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.signature?.errors.map((e) => e.code)).toEqual(c.logged ?? []);
      if (c.authenticSigningTime) {
        expect(result.signature?.authenticSigningTime).toMatch(/^2024-06-/);
        expect(result.signature?.timestampRevocation?.map((r) => r.status)).toEqual(expect.arrayContaining(['good']));
        expect(revocation.calls.some((call) => call.purpose === 'timestamping')).toBe(true);
      }
      else if (!c.logged) expect(result.signature?.authenticSigningTime).toBeUndefined();
    }
  });
});

// L1: the TSA chain a token builds to a trusted root must also meet the timestamping certificate
// requirements (notation-go calls ValidateTimestampingCertChain after the token verifies).
describe('TSA chain certificate requirements', () => {
  const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
  const REFUSED = 'invalid timestamp: the TSA chain is refused: invalid certificate chain: ';
  const DN = 'C=US, ST=WA, L=Seattle, O=Notary, CN=';
  const cases: {
    name: string;
    root?: Partial<CertificateOptions>;
    intermediate?: Partial<CertificateOptions>;
    leaf?: Partial<CertificateOptions>;
    code?: string;
    message?: string;
  }[] = [
    { name: 'root → intermediate → TSA leaf meets them' },
    {
      name: 'a TSA signing certificate with cA=true',
      leaf: { basicConstraints: { ca: true } },
      code: 'INVALID_TIMESTAMP',
      message: `${REFUSED}timestamp signing certificate "${DN}L1 TSA" is a CA certificate (basicConstraints cA=true); the leaf must not be a CA`,
    },
    {
      name: 'an intermediate without key usage',
      intermediate: { keyUsage: null },
      code: 'INVALID_TIMESTAMP',
      message: `${REFUSED}certificate "${DN}L1 TSA CA": the key usage extension must be present`,
    },
    {
      name: 'an intermediate whose basicConstraints is not critical',
      intermediate: { basicConstraints: { ca: true, critical: false } },
      code: 'INVALID_TIMESTAMP',
      message: `${REFUSED}certificate "${DN}L1 TSA CA": a CA certificate must have a critical basicConstraints extension with cA set to true`,
    },
    {
      name: 'a root whose path length leaves no room for the intermediate',
      root: { basicConstraints: { ca: true, pathLength: 0 } },
      code: 'INVALID_TIMESTAMP',
      message: `${REFUSED}certificate "${DN}L1 TSA Root": its path length constraint is 0 but 1 CA certificate(s) follow it in the chain`,
    },
    {
      name: 'a TSA signing certificate signed with SHA-1',
      leaf: { signatureHash: 'SHA-1' },
      code: 'INVALID_TIMESTAMP',
      message: `${REFUSED}certificate "${DN}L1 TSA" is signed with`,
    },
    {
      // OpenSSL does not take a CA without keyCertSign as an issuer: the chain is never built.
      name: 'an intermediate without keyCertSign',
      intermediate: { keyUsage: { usages: ['cRLSign', 'digitalSignature'] } },
      code: 'UNTRUSTED_TIMESTAMP',
      message: `untrusted timestamp: the TSA certificate "${DN}L1 TSA" does not chain to a trusted TSA root`,
    },
  ];

  it.each(cases)('$name', async (c) => {
    const root = await issueCertificate({ commonName: 'L1 TSA Root', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'l1-root'), ...c.root }, undefined, 'ca');
    const intermediate = await issueCertificate({ commonName: 'L1 TSA CA', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'l1-ca'), ...c.intermediate }, root, 'ca');
    const leaf = await issueCertificate(
      { commonName: 'L1 TSA', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'l1-leaf'), purpose: 'timeStamping', ...c.leaf },
      intermediate,
      'timeStamping',
    );
    const signer = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'l1-signer-root') }, leaf: { keys: await cachedKeyPair('ec-256', 'l1-signer') } });
    const envelope = await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: createNotaryPayload(TARGET),
      signingScheme: 'notary.x509',
      signingTime: new Date(),
      privateKey: signer.leaf.privateKey,
      certificateChain: signer.chain,
      timestamper: async (signature) =>
        issueToken(leaf, [leaf, intermediate, root], { imprint: new Uint8Array(createHash('sha256').update(signature).digest()), hashOid: OID_SHA256 }),
    });
    const trustStore = MemoryTrustStore.fromBundles([
      { type: 'ca', name: 'signers', caBundle: signer.root.pem },
      { type: 'tsa', name: 'tsa', caBundle: root.pem },
    ]);
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [
        { name: 'l1', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:signers', 'tsa:tsa'], trustedIdentities: ['*'] },
      ],
    });
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    store.addSignature(TARGET, MEDIA_TYPE_JWS, envelope);
    const result = await verifyArtifact(store, TARGET, { trustPolicy, trustStore, revocation: new RevocationDouble([]), repository: REPOSITORY });
    if (!c.code) {
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      return;
    }
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe(c.code);
    expect(result.error?.message).toContain(c.message);
    expect(result.results[0]?.validations.find((v) => !v.passed)?.type).toBe('authenticTimestamp');
  });
});
