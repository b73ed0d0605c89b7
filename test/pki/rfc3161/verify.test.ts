// verifyTimestampToken against upstream RFC 3161 tokens (tspclient-go, notation-core-go, notation-go envelopes).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from 'cbor-x';
import { X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { PkiError, verifyTimestampToken } from '../../../src/pki/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

const TSPCLIENT = join(NOTARY_FIXTURES, 'tspclient-go');
const NOTATION_GO = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata');
const E2E = join(NOTARY_FIXTURES, 'notation-e2e/timestamp');

function loadCertificate(path: string): X509Certificate {
  const bytes = readFileSync(path);
  return bytes.subarray(0, 10).toString('latin1').startsWith('-----') ? new X509Certificate(bytes.toString('latin1')) : new X509Certificate(bytes);
}

const GLOBALSIGN_R3 = loadCertificate(join(TSPCLIENT, 'testdata/GlobalSignRootCA.crt'));
const GLOBALSIGN_R6 = loadCertificate(join(NOTATION_GO, 'truststore/x509/tsa/test-timestamp/globalsignRoot.cer'));
const E2E_GLOBALSIGN = loadCertificate(join(E2E, 'globalsignTSARoot.cer'));
const DIGICERT = loadCertificate(join(E2E, 'DigiCertTSARootSHA384.cer'));
/** What tspclient-go's tests timestamp: the bytes of "notation" (SHA-256 imprint). */
const NOTATION = new TextEncoder().encode('notation');

type Outcome = { ok: true; genTime: string; accuracyMs: number } | { ok: false; code: string; message: string };

async function outcome(token: Uint8Array, signature: Uint8Array, roots: X509Certificate[]): Promise<Outcome> {
  try {
    const result = await verifyTimestampToken(token, signature, roots);
    return { ok: true, genTime: result.genTime.toISOString(), accuracyMs: result.accuracyMs };
  } catch (err) {
    if (!(err instanceof PkiError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

const VALID_2021 = { ok: true, genTime: '2021-09-17T14:09:10.000Z', accuracyMs: 1000 } as const;

function rejected(code: 'INVALID_TIMESTAMP' | 'UNTRUSTED_TIMESTAMP', fragment: string) {
  return { ok: false, code, message: expect.stringContaining(fragment) as unknown as string } as const;
}

// Each defect token with the exact code and the defect its message must name. Tokens whose signature no longer
// verifies after upstream edited a field fail on that signature (openssl cms -verify agrees).
const UPSTREAM_TOKENS: { file: string; expected: Outcome }[] = [
  { file: 'tspclient-go/testdata/TimeStampToken.p7s', expected: VALID_2021 },
  { file: 'tspclient-go/cms-testdata/TimeStampToken.p7s', expected: VALID_2021 },
  { file: 'notation-go/verifier-testdata/timestamp/countersignature/TimeStampToken.p7s', expected: VALID_2021 },
  { file: 'tspclient-go/testdata/SHA1TimeStampToken.p7s', expected: rejected('INVALID_TIMESTAMP', 'message-digest signed attribute does not match') },
  { file: 'tspclient-go/testdata/TimeStampTokenNoRoot.p7s', expected: rejected('UNTRUSTED_TIMESTAMP', 'does not chain to a trusted TSA root') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithInvalidSignature.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithInvalidSigningCertificateV1.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing-certificate-v2 signed attribute is missing') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithInvalidSigningCertificateV2.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing-certificate-v2 attribute is malformed') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithInvalidTSTInfo.p7s', expected: rejected('INVALID_TIMESTAMP', 'message-digest signed attribute does not match') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithInvalideContentType.p7s', expected: rejected('INVALID_TIMESTAMP', 'must encapsulate id-ct-TSTInfo') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithMismatchCertHash.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing certificate hash does not match') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithSHA1CertHash.p7s', expected: rejected('INVALID_TIMESTAMP', 'unsupported certificate hash algorithm') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithSigningCertificateV1.p7s', expected: rejected('INVALID_TIMESTAMP', 'SHA-1 signing-certificate attribute alone is not accepted') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithSigningCertificateV1NoCert.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing-certificate-v2 signed attribute is missing') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithSigningCertificateV2NoCert.p7s', expected: rejected('INVALID_TIMESTAMP', 'does not contain any certificate') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithTSTInfoVersion2.p7s', expected: rejected('INVALID_TIMESTAMP', 'message-digest signed attribute does not match') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithValidAndInvalidSignerInfos.p7s', expected: rejected('INVALID_TIMESTAMP', 'has 2 signer infos') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s', expected: rejected('INVALID_TIMESTAMP', 'issuer name is missing in the IssuerSerial') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithoutCertificate.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing certificate is not found') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithoutSigningCertificate.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing-certificate-v2 signed attribute is missing') },
  { file: 'tspclient-go/testdata/TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'tspclient-go/cms-testdata/Sha1SignedData.p7s', expected: rejected('INVALID_TIMESTAMP', 'must encapsulate id-ct-TSTInfo') },
  { file: 'tspclient-go/cms-testdata/SignedDataWithoutSignedAttributes.p7s', expected: rejected('INVALID_TIMESTAMP', 'must encapsulate id-ct-TSTInfo') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenInvalidSignedAttributeContentType.p7s', expected: rejected('INVALID_TIMESTAMP', 'content-type signed attribute is 1.2.840.113549.1.9.16.1.44') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s', expected: rejected('INVALID_TIMESTAMP', 'has 2 signer infos') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithInvalidCertificates.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing certificate hash does not match') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithInvalidContentType.p7s', expected: rejected('INVALID_TIMESTAMP', 'unexpected content type 1.2.840.113549.1.9.16.1.5') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithInvalidSignature.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithInvalidSigningTime.p7s', expected: rejected('INVALID_TIMESTAMP', 'does not hold a valid CMS SignedData') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithSignedAttributeSHA1.p7s', expected: rejected('INVALID_TIMESTAMP', 'weak digest algorithm 1.3.14.3.2.26') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithSignerVersion2.p7s', expected: rejected('INVALID_TIMESTAMP', 'signer info version 2 is not supported') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithSigningTime.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithSigningTimeBeforeExpected.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithUnknownSignerIssuer.p7s', expected: rejected('INVALID_TIMESTAMP', 'signer identifier does not name the certificate') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithoutCertificate.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing certificate is not found') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithoutSignedAttributeContentType.p7s', expected: rejected('INVALID_TIMESTAMP', 'content-type signed attribute is missing') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithoutSignedAttributeDigest.p7s', expected: rejected('INVALID_TIMESTAMP', 'message-digest signed attribute is missing') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithoutSignedAttributes.p7s', expected: rejected('INVALID_TIMESTAMP', 'does not hold a valid CMS SignedData') },
  { file: 'tspclient-go/cms-testdata/TimeStampTokenWithoutSigner.p7s', expected: rejected('INVALID_TIMESTAMP', 'has no signer info') },
  { file: 'notation-core-go/internal-timestamp-testdata/TimeStampTokenWithInvalidSignature.p7s', expected: rejected('INVALID_TIMESTAMP', 'TSA signature does not verify') },
  { file: 'notation-go/verifier-testdata/timestamp/countersignature/TimeStampTokenWithInvalidTSTInfo.p7s', expected: rejected('INVALID_TIMESTAMP', 'message-digest signed attribute does not match') },
  { file: 'notation-go/verifier-testdata/timestamp/countersignature/TimeStampTokenWithInvalideContentType.p7s', expected: rejected('INVALID_TIMESTAMP', 'must encapsulate id-ct-TSTInfo') },
  { file: 'notation-go/verifier-testdata/timestamp/countersignature/TimeStampTokenWithoutCertificate.p7s', expected: rejected('INVALID_TIMESTAMP', 'signing certificate is not found') },
];

describe('verifyTimestampToken: upstream tokens over "notation" with the GlobalSign root', () => {
  it.each(UPSTREAM_TOKENS)('$file', async ({ file, expected }) => {
    const token = readFileSync(join(NOTARY_FIXTURES, file));
    expect(await outcome(token, NOTATION, [GLOBALSIGN_R3])).toEqual(expected);
  });

  it('returns the accuracy window and the TSA chain leaf first', async () => {
    const result = await verifyTimestampToken(readFileSync(join(TSPCLIENT, 'testdata/TimeStampToken.p7s')), NOTATION, [GLOBALSIGN_R3]);
    expect(result.earliest.toISOString()).toBe('2021-09-17T14:09:09.000Z');
    expect(result.latest.toISOString()).toBe('2021-09-17T14:09:11.000Z');
    expect(result.hashAlgorithm).toBe('SHA-256');
    expect(result.tsaChain[0]?.subject).toBe('C=BE, O=GlobalSign nv-sa, CN=Globalsign TSA for Advanced - G4');
    expect(result.tsaChain.at(-1)?.subject).toBe(GLOBALSIGN_R3.subject);
  });

  it.each([
    { name: 'other signature bytes', signature: new TextEncoder().encode('invalid'), roots: [GLOBALSIGN_R3], expected: rejected('INVALID_TIMESTAMP', 'message imprint does not match the signature') },
    { name: 'a tsa store with another root', signature: NOTATION, roots: [DIGICERT], expected: rejected('UNTRUSTED_TIMESTAMP', 'does not chain to a trusted TSA root') },
    { name: 'an empty tsa store', signature: NOTATION, roots: [], expected: rejected('UNTRUSTED_TIMESTAMP', 'does not chain to a trusted TSA root') },
  ])('rejects the valid token with $name', async ({ signature, roots, expected }) => {
    const token = readFileSync(join(TSPCLIENT, 'testdata/TimeStampToken.p7s'));
    expect(await outcome(token, signature, roots)).toEqual(expected);
  });

  it.each([
    { name: 'empty bytes', token: new Uint8Array(0), fragment: 'is empty' },
    { name: 'garbage', token: new TextEncoder().encode('not a token'), fragment: 'not valid ASN.1' },
    { name: 'a token with trailing data', token: new Uint8Array([...readFileSync(join(TSPCLIENT, 'testdata/TimeStampToken.p7s')), 0]), fragment: 'trailing data' },
    { name: 'an oversized token', token: new Uint8Array(300 * 1024), fragment: 'more than the 262144 allowed' },
  ])('rejects $name with INVALID_TIMESTAMP', async ({ token, fragment }) => {
    expect(await outcome(token, NOTATION, [GLOBALSIGN_R3])).toEqual(rejected('INVALID_TIMESTAMP', fragment));
  });

  it('rejects a tampered token (one TSTInfo byte flipped)', async () => {
    const token = new Uint8Array(readFileSync(join(TSPCLIENT, 'testdata/TimeStampToken.p7s')));
    const genTimeAt = Buffer.from(token).indexOf('20210917140910');
    token[genTimeAt + 3] = 0x32; // 2021 → 2022
    expect(await outcome(token, NOTATION, [GLOBALSIGN_R3])).toEqual(
      rejected('INVALID_TIMESTAMP', 'message-digest signed attribute does not match'),
    );
  });

  it('rejects a TSA chain that was not valid at the time asked for', async () => {
    const token = readFileSync(join(TSPCLIENT, 'testdata/TimeStampToken.p7s'));
    await expect(verifyTimestampToken(token, NOTATION, [GLOBALSIGN_R3], { atTime: new Date('2045-01-01T00:00:00Z') })).rejects.toMatchObject({
      code: 'INVALID_TIMESTAMP',
      message: expect.stringContaining('was not valid at 2045-01-01T00:00:00.000Z'),
    });
  });
});

/** The JWS envelope's signature bytes and its timestamp countersignature, read straight from the JSON. */
function jwsCountersignature(file: string): { signature: Uint8Array; token?: Uint8Array } {
  const envelope = JSON.parse(readFileSync(join(NOTATION_GO, 'timestamp/sigEnv', file), 'utf8')) as {
    signature: string;
    header: Record<string, string | undefined>;
  };
  const token = envelope.header['io.cncf.notary.timestampSignature'];
  return {
    signature: new Uint8Array(Buffer.from(envelope.signature, 'base64url')),
    token: token === undefined ? undefined : new Uint8Array(Buffer.from(token, 'base64')),
  };
}

/** The COSE_Sign1 signature and its unprotected `io.cncf.notary.timestampSignature`. */
function coseCountersignature(file: string): { signature: Uint8Array; token?: Uint8Array } {
  const decoded = new Decoder({ mapsAsObjects: false }).decode(readFileSync(join(NOTATION_GO, 'timestamp/sigEnv', file))) as {
    value: [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array];
  };
  const token = decoded.value[1].get('io.cncf.notary.timestampSignature');
  return { signature: decoded.value[3], token: token instanceof Uint8Array ? token : undefined };
}

describe('verifyTimestampToken: notation-go envelopes with countersignatures', () => {
  it.each([
    { file: 'jwsWithTimestamp.sig', read: jwsCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true, genTime: '2024-06-18T06:29:37.000Z', accuracyMs: 1000 } },
    { file: 'jwsExpiredWithTimestamp.sig', read: jwsCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true, genTime: '2024-06-18T07:21:42.000Z', accuracyMs: 1000 } },
    { file: 'timestampBeforeNotBefore.sig', read: jwsCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true, genTime: '2024-06-19T09:30:14.000Z', accuracyMs: 1000 } },
    { file: 'jwsWithTimestamp.sig', read: jwsCountersignature, roots: [E2E_GLOBALSIGN], expected: { ok: true, genTime: '2024-06-18T06:29:37.000Z', accuracyMs: 1000 } },
    { file: 'jwsWithTimestamp.sig', read: jwsCountersignature, roots: [DIGICERT], expected: rejected('UNTRUSTED_TIMESTAMP', 'does not chain') },
    { file: 'coseWithTimestamp.sig', read: coseCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true } },
    { file: 'coseExpiredWithTimestamp.sig', read: coseCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true } },
    { file: 'timestampAfterNotAfter.sig', read: coseCountersignature, roots: [GLOBALSIGN_R6], expected: { ok: true } },
  ])('$file with $roots.0.subject', async ({ file, read, roots, expected }) => {
    const { signature, token } = read(file);
    expect(token).toBeDefined();
    expect(await outcome(token as Uint8Array, signature, roots)).toMatchObject(expected);
  });

  it('rejects a countersignature moved onto another envelope (imprint mismatch)', async () => {
    const { token } = jwsCountersignature('jwsWithTimestamp.sig');
    const other = jwsCountersignature('jwsExpiredWithTimestamp.sig');
    expect(await outcome(token as Uint8Array, other.signature, [GLOBALSIGN_R6])).toEqual(
      rejected('INVALID_TIMESTAMP', 'message imprint does not match the signature'),
    );
  });

  it('finds no countersignature in withoutTimestamp.sig', () => {
    expect(jwsCountersignature('withoutTimestamp.sig').token).toBeUndefined();
  });
});
