// Sign → parse → verify for every Notary algorithm and both formats; tampering, algorithm and key rules.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, signEnvelope, type SignRequest } from '../../../src/notary/envelope/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type SignatureMediaType } from '../../../src/notary/types.js';
import { cachedKeyPair, generateCertificateChain, generateTestCertificate, type GeneratedCertificate, type KeyType } from '../../support/pki.js';
import { PAYLOAD, coseChain, coseHeaders, craftCose, craftJws, encodeCbor, jwsHeaders, x5c } from './craft.js';

const FORMATS: SignatureMediaType[] = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE];
const ALGORITHMS: [KeyType, string][] = [
  ['rsa-2048', 'RSASSA-PSS-SHA-256'],
  ['rsa-3072', 'RSASSA-PSS-SHA-384'],
  ['rsa-4096', 'RSASSA-PSS-SHA-512'],
  ['ec-256', 'ECDSA-SHA-256'],
  ['ec-384', 'ECDSA-SHA-384'],
  ['ec-521', 'ECDSA-SHA-512'],
];

const signers = new Map<KeyType, GeneratedCertificate>();

async function signer(keyType: KeyType): Promise<GeneratedCertificate> {
  let cert = signers.get(keyType);
  if (!cert) {
    cert = await generateTestCertificate({ commonName: `signer ${keyType}`, keyType, keys: await cachedKeyPair(keyType, 'roundtrip') });
    signers.set(keyType, cert);
  }
  return cert;
}

function request(mediaType: SignatureMediaType, cert: GeneratedCertificate, overrides: Partial<SignRequest> = {}): SignRequest {
  return {
    mediaType,
    payload: PAYLOAD,
    signingScheme: 'notary.x509',
    signingTime: new Date('2024-05-06T07:08:09.750Z'),
    privateKey: cert.privateKey,
    certificateChain: [cert.der],
    ...overrides,
  };
}

beforeAll(async () => {
  for (const [keyType] of ALGORITHMS) await signer(keyType);
}, 60_000);

describe.each(FORMATS)('%s round trip', (mediaType) => {
  it.each(ALGORITHMS)('%s signs with %s and verifies', async (keyType, algorithm) => {
    const cert = await signer(keyType);
    const bytes = await signEnvelope(request(mediaType, cert));
    const envelope = parseEnvelope(mediaType, bytes);
    expect(envelope.mediaType).toBe(mediaType);
    const content = await envelope.verify();
    expect(content.signerInfo.signatureAlgorithm).toBe(algorithm);
    expect(content.payload.content).toEqual(PAYLOAD);
    expect(content.signerInfo.certificateChain).toEqual([cert.der]);
    // Whole seconds: the spec says fractional seconds SHOULD NOT be used.
    expect(content.signerInfo.signedAttributes.signingTime.toISOString()).toBe('2024-05-06T07:08:09.000Z');
  });

  it('carries every attribute: scheme, times, extended attributes, agent, timestamp, chain', async () => {
    const chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true });
    let countersigned: Uint8Array | undefined;
    const token = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
    const bytes = await signEnvelope({
      ...request(mediaType, chain.leaf),
      certificateChain: chain.chain,
      expiry: new Date('2030-01-01T00:00:00Z'),
      extendedAttributes: [
        { key: 'com.example.critical', critical: true, value: 'yes' },
        { key: 'com.example.number', critical: false, value: 42 },
        { key: 'com.example.nested', critical: false, value: { list: ['a', 'b'], flag: true } },
      ],
      signingAgent: 'imgverify/test',
      timestamper: async (signature) => {
        countersigned = signature;
        return token;
      },
    });
    const content = await parseEnvelope(mediaType, bytes, { understoodCriticalAttributes: ['com.example.critical'] }).verify();
    const { signerInfo } = content;
    expect(signerInfo.signedAttributes).toEqual({
      signingScheme: 'notary.x509',
      signingTime: new Date('2024-05-06T07:08:09Z'),
      expiry: new Date('2030-01-01T00:00:00Z'),
      extendedAttributes: expect.arrayContaining([
        { key: 'com.example.critical', critical: true, value: 'yes' },
        { key: 'com.example.number', critical: false, value: 42 },
        { key: 'com.example.nested', critical: false, value: mediaType === MEDIA_TYPE_JWS ? { flag: true, list: ['a', 'b'] } : expect.anything() },
      ]),
    });
    expect(signerInfo.unsignedAttributes).toEqual({ signingAgent: 'imgverify/test', timestampSignature: token });
    // The timestamp countersigns exactly the primitive signature the envelope carries.
    expect(countersigned).toEqual(signerInfo.signature);
    expect(signerInfo.certificateChain).toEqual(chain.chain);
    await expect(parseEnvelope(mediaType, bytes).verify()).rejects.toMatchObject({ code: 'UNKNOWN_CRITICAL_ATTRIBUTE' });
  });

  it('signs notary.x509.signingAuthority with an authentic signing time', async () => {
    const cert = await signer('ec-384');
    const bytes = await signEnvelope(request(mediaType, cert, { signingScheme: 'notary.x509.signingAuthority' }));
    const attributes = (await parseEnvelope(mediaType, bytes).verify()).signerInfo.signedAttributes;
    expect(attributes.signingScheme).toBe('notary.x509.signingAuthority');
    expect(attributes.authenticSigningTime?.toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(attributes.signingTime.toISOString()).toBe('2024-05-06T07:08:09.000Z');
  });
});

describe('tampering breaks integrity (INVALID_SIGNATURE)', () => {
  let jws: Record<string, unknown>;
  let cose: { tag: number; value: [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array] };
  let other: GeneratedCertificate;

  beforeAll(async () => {
    const cert = await signer('ec-256');
    other = await generateTestCertificate({ commonName: 'other', keyType: 'ec-256' });
    jws = JSON.parse(Buffer.from(await signEnvelope(request(MEDIA_TYPE_JWS, cert))).toString()) as Record<string, unknown>;
    const { decodeCbor } = await import('../../../src/notary/envelope/cbor.js');
    cose = decodeCbor(await signEnvelope(request(MEDIA_TYPE_COSE, cert))) as typeof cose;
  });

  const jwsCases: [string, (e: Record<string, unknown>) => void][] = [
    ['payload', (e) => (e.payload = Buffer.from(Buffer.from(String(e.payload), 'base64url').toString().replace('16724', '16725')).toString('base64url'))],
    [
      'protected header',
      (e) =>
        (e.protected = Buffer.from(Buffer.from(String(e.protected), 'base64url').toString().replace('2024-05-06', '2024-05-07')).toString('base64url')),
    ],
    ['signature', (e) => (e.signature = flipLast(String(e.signature)))],
    ['certificate chain (another key)', (e) => (e.header = { x5c: x5c([other.der]) })],
  ];

  it.each(jwsCases)('JWS: %s', async (_name, tamper) => {
    const copy = structuredClone(jws);
    tamper(copy);
    await expect(parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(copy))).verify()).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });

  it('JWS: the unsigned signing agent may change without breaking integrity', async () => {
    const copy = structuredClone(jws);
    copy.header = { ...(copy.header as object), 'io.cncf.notary.signingAgent': 'someone else' };
    const content = await parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(copy))).verify();
    expect(content.signerInfo.unsignedAttributes.signingAgent).toBe('someone else');
  });

  const coseCases: [string, (parts: [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array]) => void][] = [
    ['payload', (p) => (p[2] = Buffer.from(Buffer.from(p[2]).toString().replace('16724', '16725')))],
    [
      'protected header',
      (p) => {
        const bytes = Buffer.from(p[0]);
        const at = bytes.indexOf(Buffer.from('notary.x509'));
        bytes[at + 7] = 'y'.charCodeAt(0); // notary.y509: still a string, no longer the signed one
        p[0] = bytes;
      },
    ],
    ['signature', (p) => (p[3] = flipBytes(p[3]))],
    ['certificate chain (another key)', (p) => (p[1] = coseChain([other.der]))],
  ];

  it.each(coseCases)('COSE: %s', async (name, tamper) => {
    const parts = [...cose.value] as typeof cose.value;
    tamper(parts);
    const bytes = encodeCbor(new (await import('cbor-x')).Tag(parts, 18));
    const attempt = async () => parseEnvelope(MEDIA_TYPE_COSE, bytes).verify();
    // A changed signing scheme no longer parses as a Notary envelope; everything else fails integrity.
    await expect(attempt()).rejects.toMatchObject({ code: name === 'protected header' ? 'MALFORMED_SIGNATURE' : 'INVALID_SIGNATURE' });
  });

  it('COSE: a changed signing time in the protected header fails integrity', async () => {
    const parts = [...cose.value] as typeof cose.value;
    const bytes = Buffer.from(parts[0]);
    const at = bytes.indexOf(Buffer.from([0xc1, 0x1a]));
    bytes[at + 5] = (bytes[at + 5] as number) ^ 0x01;
    parts[0] = bytes;
    const { Tag } = await import('cbor-x');
    await expect(parseEnvelope(MEDIA_TYPE_COSE, encodeCbor(new Tag(parts, 18))).verify()).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });
});

function flipLast(text: string): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0x01;
  return bytes.toString('base64url');
}

function flipBytes(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.from(bytes);
  copy[0] = (copy[0] as number) ^ 0x01;
  return copy;
}

describe('algorithms and keys', () => {
  it.each([
    ['rsa-1024', /RSA key size 1024 bits is not supported/],
    ['ed25519', /ed25519 keys are not supported/],
  ] as [KeyType, RegExp][])('signing with a %s key is UNSUPPORTED_ALGORITHM', async (keyType, message) => {
    const cert = await generateTestCertificate({ commonName: keyType, keyType });
    for (const mediaType of FORMATS) {
      await expect(signEnvelope(request(mediaType, cert))).rejects.toMatchObject({ code: 'UNSUPPORTED_ALGORITHM', message: expect.stringMatching(message) });
    }
  });

  it('an envelope whose leaf key Notary does not allow is UNSUPPORTED_ALGORITHM', async () => {
    const weak = await generateTestCertificate({ commonName: 'weak', keyType: 'rsa-1024' });
    const jws = craftJws({ protectedHeader: jwsHeaders('PS256'), header: { x5c: x5c([weak.der]) }, key: weak.privateKey, signing: 'RSASSA-PSS-SHA-256' });
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, jws.bytes)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
    const cose = craftCose({ protectedBytes: encodeCbor(coseHeaders(-37)), unprotected: coseChain([weak.der]), key: weak.privateKey, signing: 'RSASSA-PSS-SHA-256' });
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, cose)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });

  it.each([
    ['RS256 (PKCS#1 v1.5)', 'RS256', 'RSA-PKCS1-SHA-256'],
    ['none', 'none', 'RSASSA-PSS-SHA-256'],
    ['HS256', 'HS256', 'RSASSA-PSS-SHA-256'],
    ['EdDSA', 'EdDSA', 'RSASSA-PSS-SHA-256'],
  ] as const)('JWS alg %s is UNSUPPORTED_ALGORITHM', async (_name, alg, signing) => {
    const cert = await signer('rsa-2048');
    const jws = craftJws({ protectedHeader: jwsHeaders(alg), header: { x5c: x5c([cert.der]) }, key: cert.privateKey, signing });
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, jws.bytes)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });

  it.each([
    ['RS256 (PKCS#1 v1.5)', -257],
    ['EdDSA', -8],
    ['HMAC 256/256', 5],
  ])('COSE alg %s is UNSUPPORTED_ALGORITHM', async (_name, alg) => {
    const cert = await signer('rsa-2048');
    const cose = craftCose({ protectedBytes: encodeCbor(coseHeaders(alg)), unprotected: coseChain([cert.der]), key: cert.privateKey, signing: 'RSA-PKCS1-SHA-256' });
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, cose)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_ALGORITHM' }));
  });

  it('an alg that disagrees with the leaf key fails integrity, even when the signature matches the header', async () => {
    const cert = await signer('ec-384');
    // ES256 over a P-384 key: the signature is made as the header says, but the key dictates ES384.
    const jws = craftJws({ protectedHeader: jwsHeaders('ES256'), header: { x5c: x5c([cert.der]) }, key: cert.privateKey, signing: 'ECDSA-SHA-256' });
    await expect(parseEnvelope(MEDIA_TYPE_JWS, jws.bytes).verify()).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
      message: expect.stringContaining('ES256 does not match'),
    });
    const cose = craftCose({ protectedBytes: encodeCbor(coseHeaders(-7)), unprotected: coseChain([cert.der]), key: cert.privateKey, signing: 'ECDSA-SHA-256' });
    await expect(parseEnvelope(MEDIA_TYPE_COSE, cose).verify()).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });

  it('RSA-PSS signatures made with another salt length do not verify (salt length = hash length)', async () => {
    const cert = await signer('rsa-2048');
    const { sign, constants } = await import('node:crypto');
    const crafted = craftJws({ protectedHeader: jwsHeaders('PS256'), header: { x5c: x5c([cert.der]) }, key: cert.privateKey, signing: 'RSASSA-PSS-SHA-256' });
    const input = Buffer.from(`${String(crafted.envelope.protected)}.${String(crafted.envelope.payload)}`);
    const salted = sign('sha256', input, { key: cert.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
    const envelope = { ...crafted.envelope, signature: salted.toString('base64url') };
    await expect(parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(envelope))).verify()).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });
});

describe('sign requests that are refused (INVALID_INPUT)', () => {
  it.each<[string, (cert: GeneratedCertificate, other: GeneratedCertificate) => Partial<SignRequest>, RegExp]>([
    ['key of another certificate', (_cert, other) => ({ privateKey: other.privateKey }), /does not belong to the signing/],
    ['empty chain', () => ({ certificateChain: [] }), /certificate chain is empty/],
    ['empty payload', () => ({ payload: new Uint8Array() }), /payload to sign is empty/],
    ['expiry not after signing time', () => ({ expiry: new Date('2024-05-06T07:08:09.900Z') }), /expiry must be after/],
    ['reserved attribute', () => ({ extendedAttributes: [{ key: 'io.cncf.notary.expiry', critical: true, value: 'x' }] }), /collides/],
    ['registered JWS header', () => ({ extendedAttributes: [{ key: 'alg', critical: false, value: 'x' }] }), /collides/],
    [
      'repeated attribute',
      () => ({
        extendedAttributes: [
          { key: 'a', critical: false, value: 1 },
          { key: 'a', critical: false, value: 2 },
        ],
      }),
      /given twice/,
    ],
    ['timestamp with signingAuthority', () => ({ signingScheme: 'notary.x509.signingAuthority', timestamper: async () => new Uint8Array([1]) }), /notary\.x509 signing scheme/],
    ['unknown signing scheme', () => ({ signingScheme: 'notary.x510' as 'notary.x509' }), /not supported/],
  ])('%s', async (_name, overrides, message) => {
    const cert = await signer('ec-256');
    const other = await signer('ec-384');
    for (const mediaType of FORMATS) {
      await expect(signEnvelope(request(mediaType, cert, overrides(cert, other)))).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(message),
      });
    }
  });

  it('an unknown media type is UNSUPPORTED_SIGNATURE_FORMAT', async () => {
    const cert = await signer('ec-256');
    await expect(signEnvelope(request('application/pgp-signature' as SignatureMediaType, cert))).rejects.toMatchObject({
      code: 'UNSUPPORTED_SIGNATURE_FORMAT',
    });
    expect(() => parseEnvelope('application/vnd.oci.image.layer.v1.tar', new Uint8Array([1]))).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_SIGNATURE_FORMAT' }),
    );
  });
});
