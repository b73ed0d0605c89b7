// notation-go's timestamped envelopes (verifier-testdata/timestamp) with the tsa trust stores: authentic timestamp rules end to end.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/types.js';
import { parseEnvelope } from '../../../src/notary/envelope/index.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type RevocationStatus } from '../../../src/notary/types.js';
import { verifyArtifact } from '../../../src/notary/verifier/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
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
