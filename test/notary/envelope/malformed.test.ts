// Envelopes that break the envelope specs: each is refused with the exact code, and no input crashes the parser.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_ENVELOPE_BYTES, parseEnvelope } from '../../../src/notary/envelope/index.js';
import { NotaryError } from '../../../src/notary/errors.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, MEDIA_TYPE_NOTARY_PAYLOAD } from '../../../src/notary/types.js';
import { cachedKeyPair, generateTestCertificate, type GeneratedCertificate } from '../../support/pki.js';
import { Tag, coseChain, coseHeaders, craftCose, craftJws, encodeCbor, jsonBytes, jwsHeaders, x5c } from './craft.js';

let cert: GeneratedCertificate;

beforeAll(async () => {
  cert = await generateTestCertificate({ commonName: 'malformed', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'malformed') });
});

function jwsWith(protectedHeader: Record<string, unknown>, header?: Record<string, unknown>): Uint8Array {
  return craftJws({ protectedHeader, header: header ?? { x5c: x5c([cert.der]) }, key: cert.privateKey, signing: 'ECDSA-SHA-256' }).bytes;
}

function withoutKey(headers: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...headers };
  delete copy[key];
  return copy;
}

/** [name, protected header, expected code, message fragment]: signed correctly, so only the rule decides. */
const JWS_HEADER_CASES: [string, () => Record<string, unknown>, string, string][] = [
  ['no crit', () => withoutKey(jwsHeaders('ES256'), 'crit'), 'MALFORMED_SIGNATURE', '"crit"'],
  ['empty crit', () => jwsHeaders('ES256', { crit: [] }), 'MALFORMED_SIGNATURE', '"crit"'],
  ['crit not an array', () => jwsHeaders('ES256', { crit: 'io.cncf.notary.signingScheme' }), 'MALFORMED_SIGNATURE', '"crit"'],
  ['crit without signingScheme', () => jwsHeaders('ES256', { crit: ['io.cncf.notary.signingTime'] }), 'MALFORMED_SIGNATURE', 'not marked critical: io.cncf.notary.signingScheme'],
  ['expiry not critical', () => jwsHeaders('ES256', { 'io.cncf.notary.expiry': '2099-01-01T00:00:00Z' }), 'MALFORMED_SIGNATURE', 'not marked critical: io.cncf.notary.expiry'],
  [
    'authenticSigningTime not critical',
    () =>
      withoutKey(
        jwsHeaders('ES256', { 'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority', 'io.cncf.notary.authenticSigningTime': '2024-01-02T03:04:05Z' }),
        'io.cncf.notary.signingTime',
      ),
    'MALFORMED_SIGNATURE',
    'not marked critical: io.cncf.notary.authenticSigningTime',
  ],
  ['crit names an absent header', () => jwsHeaders('ES256', { crit: ['io.cncf.notary.signingScheme', 'com.example.gone'] }), 'MALFORMED_SIGNATURE', '"com.example.gone" is marked critical but not present'],
  ['crit names a registered header', () => jwsHeaders('ES256', { crit: ['io.cncf.notary.signingScheme', 'alg'] }), 'MALFORMED_SIGNATURE', 'registered header "alg"'],
  ['unknown signing scheme', () => jwsHeaders('ES256', { 'io.cncf.notary.signingScheme': 'notary.x510' }), 'MALFORMED_SIGNATURE', 'unsupported signing scheme "notary.x510"'],
  ['no signing scheme', () => withoutKey(jwsHeaders('ES256'), 'io.cncf.notary.signingScheme'), 'MALFORMED_SIGNATURE', 'missing protected header "io.cncf.notary.signingScheme"'],
  ['notary.x509 without signingTime', () => withoutKey(jwsHeaders('ES256'), 'io.cncf.notary.signingTime'), 'MALFORMED_SIGNATURE', 'missing protected header "io.cncf.notary.signingTime"'],
  [
    'notary.x509 with authenticSigningTime',
    () => jwsHeaders('ES256', { 'io.cncf.notary.authenticSigningTime': '2024-01-02T03:04:05Z', crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'] }),
    'MALFORMED_SIGNATURE',
    'must not be present for signing scheme notary.x509',
  ],
  [
    'signingAuthority with signingTime',
    () =>
      jwsHeaders('ES256', {
        'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
        'io.cncf.notary.authenticSigningTime': '2024-01-02T03:04:05Z',
        crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.authenticSigningTime'],
      }),
    'MALFORMED_SIGNATURE',
    'must not be present for signing scheme notary.x509.signingAuthority',
  ],
  ['wrong content type', () => jwsHeaders('ES256', { cty: 'application/json' }), 'MALFORMED_SIGNATURE', '"cty" must be'],
  ['no content type', () => withoutKey(jwsHeaders('ES256'), 'cty'), 'MALFORMED_SIGNATURE', '"cty" must be'],
  ['no alg', () => withoutKey(jwsHeaders('ES256'), 'alg'), 'MALFORMED_SIGNATURE', '"alg"'],
  ['signing time not RFC 3339', () => jwsHeaders('ES256', { 'io.cncf.notary.signingTime': '2024-01-02 03:04:05' }), 'MALFORMED_SIGNATURE', 'RFC 3339'],
  ['signing time a number', () => jwsHeaders('ES256', { 'io.cncf.notary.signingTime': 1704164645 }), 'MALFORMED_SIGNATURE', 'RFC 3339'],
  ['signing time on 31 February', () => jwsHeaders('ES256', { 'io.cncf.notary.signingTime': '2024-02-31T00:00:00Z' }), 'MALFORMED_SIGNATURE', 'RFC 3339'],
  [
    'expiry before signing time',
    () => jwsHeaders('ES256', { 'io.cncf.notary.expiry': '2024-01-02T03:04:05Z', crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry'] }),
    'MALFORMED_SIGNATURE',
    'is not after the signing time',
  ],
];

describe('JWS protected header rules', () => {
  it.each(JWS_HEADER_CASES)('%s → %s', (_name, headers, code, message) => {
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, jwsWith(headers()))).toThrowError(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('accepts RFC 3339 offsets and fractional seconds, as notation writes local times', async () => {
    const bytes = jwsWith(jwsHeaders('ES256', { 'io.cncf.notary.signingTime': '2023-01-19T00:21:36.5-08:00' }));
    const content = await parseEnvelope(MEDIA_TYPE_JWS, bytes).verify();
    expect(content.signerInfo.signedAttributes.signingTime.toISOString()).toBe('2023-01-19T08:21:36.500Z');
  });

  it('an unknown critical header is UNKNOWN_CRITICAL_ATTRIBUTE, a non-critical one is an extended attribute', async () => {
    const critical = jwsWith(jwsHeaders('ES256', { 'com.example.policy': 'p1', crit: ['io.cncf.notary.signingScheme', 'com.example.policy'] }));
    await expect(parseEnvelope(MEDIA_TYPE_JWS, critical).verify()).rejects.toMatchObject({
      code: 'UNKNOWN_CRITICAL_ATTRIBUTE',
      message: expect.stringContaining('com.example.policy'),
    });
    const claimed = await parseEnvelope(MEDIA_TYPE_JWS, critical, { understoodCriticalAttributes: ['com.example.policy'] }).verify();
    expect(claimed.signerInfo.signedAttributes.extendedAttributes).toEqual([{ key: 'com.example.policy', critical: true, value: 'p1' }]);
    const informational = await parseEnvelope(MEDIA_TYPE_JWS, jwsWith(jwsHeaders('ES256', { 'com.example.note': 'hi' }))).verify();
    expect(informational.signerInfo.signedAttributes.extendedAttributes).toEqual([{ key: 'com.example.note', critical: false, value: 'hi' }]);
  });
});

const JWS_STRUCTURE_CASES: [string, () => Uint8Array, string][] = [
  ['not JSON', () => Buffer.from('not json'), 'not valid UTF-8 JSON'],
  ['invalid UTF-8', () => new Uint8Array([0x7b, 0xff, 0x7d]), 'not valid UTF-8 JSON'],
  ['a JSON array', () => jsonBytes([]), 'must be a JSON object'],
  ['compact serialization', () => jsonBytes('eyJhbGciOiJFUzI1NiJ9.e30.c2ln'), 'must be a JSON object'],
  ['general serialization', () => jsonBytes({ payload: 'e30', signatures: [] }), 'unexpected member "signatures"'],
  ['missing protected', () => jsonBytes({ payload: 'e30', header: {}, signature: 'c2ln' }), 'member "protected"'],
  ['protected not base64url', () => jsonBytes({ payload: 'e30', protected: 'a b', header: {}, signature: 'c2ln' }), 'member "protected" is not base64url'],
  ['protected not JSON', () => jsonBytes({ payload: 'e30', protected: 'bm90IGpzb24', header: {}, signature: 'c2ln' }), 'protected header is not valid UTF-8 JSON'],
  ['empty signature', () => jsonBytes({ ...parsedEnvelope(), signature: '' }), 'member "signature" is empty'],
  ['no header', () => jsonBytes(withoutKey(parsedEnvelope(), 'header')), '"x5c"'],
  ['x5c not an array', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: 'MIIB' } }), '"x5c"'],
  ['x5c entry not base64', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: ['***'] } }), 'x5c entry 0 is not a base64 DER certificate'],
  ['x5c entry not a certificate', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: ['AAAA'] } }), 'certificate 0 of the chain is not a DER X.509 certificate'],
  ['empty x5c', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: [] } }), 'certificate chain is empty'],
  ['x5c longer than the limit', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: x5c(Array(17).fill(cert.der)) } }), 'more than the limit of 16'],
  ['timestamp not base64', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: x5c([cert.der]), 'io.cncf.notary.timestampSignature': '%%' } }), 'timestampSignature'],
  ['signing agent not a string', () => jsonBytes({ ...parsedEnvelope(), header: { x5c: x5c([cert.der]), 'io.cncf.notary.signingAgent': 7 } }), 'signingAgent'],
  ['over the size limit', () => new Uint8Array(MAX_ENVELOPE_BYTES + 1), 'over the limit'],
];

function parsedEnvelope(): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwsWith(jwsHeaders('ES256'))).toString()) as Record<string, unknown>;
}

describe('JWS structure', () => {
  it.each(JWS_STRUCTURE_CASES)('%s → MALFORMED_SIGNATURE', (_name, bytes, message) => {
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, bytes())).toThrowError(
      expect.objectContaining({ code: 'MALFORMED_SIGNATURE', message: expect.stringContaining(message) }),
    );
  });

  it('reads unprotected header names case-insensitively and ignores unknown ones, as Go does', async () => {
    const bytes = jwsWith(jwsHeaders('ES256'), { X5C: x5c([cert.der]), 'io.cncf.notary.SigningAgent': 'Notation/1.0.0', other: 1 });
    const content = await parseEnvelope(MEDIA_TYPE_JWS, bytes).verify();
    expect(content.signerInfo.unsignedAttributes).toEqual({ signingAgent: 'Notation/1.0.0' });
  });
});

function coseWith(headers: Map<number | string, unknown>, unprotected?: Map<number | string, unknown>): Uint8Array {
  return craftCose({ protectedBytes: encodeCbor(headers), unprotected: unprotected ?? coseChain([cert.der]), key: cert.privateKey, signing: 'ECDSA-SHA-256' });
}

const COSE_HEADER_CASES: [string, () => Map<number | string, unknown>, string, string][] = [
  ['no crit', () => coseHeaders(-7, [[2, undefined]]), 'MALFORMED_SIGNATURE', 'crit (2)'],
  ['empty crit', () => coseHeaders(-7, [[2, []]]), 'MALFORMED_SIGNATURE', 'crit (2)'],
  ['crit without signingScheme', () => coseHeaders(-7, [[2, ['io.cncf.notary.signingTime']]]), 'MALFORMED_SIGNATURE', 'not marked critical: io.cncf.notary.signingScheme'],
  ['expiry not critical', () => coseHeaders(-7, [['io.cncf.notary.expiry', new Tag(4102444800, 1)]]), 'MALFORMED_SIGNATURE', 'not marked critical: io.cncf.notary.expiry'],
  ['crit lists label 3', () => coseHeaders(-7, [[2, ['io.cncf.notary.signingScheme', 3]]]), 'MALFORMED_SIGNATURE', 'must not list label 3'],
  ['crit names an absent label', () => coseHeaders(-7, [[2, ['io.cncf.notary.signingScheme', 99]]]), 'MALFORMED_SIGNATURE', '"99" is marked critical but not present'],
  ['unknown signing scheme', () => coseHeaders(-7, [['io.cncf.notary.signingScheme', 'notary.x510']]), 'MALFORMED_SIGNATURE', 'unsupported signing scheme'],
  ['signing time untagged', () => coseHeaders(-7, [['io.cncf.notary.signingTime', 1704164645]]), 'MALFORMED_SIGNATURE', 'tag 1 (epoch-based)'],
  ['signing time as tag 0 string', () => coseHeaders(-7, [['io.cncf.notary.signingTime', new Tag('2024-01-02T03:04:05Z', 0)]]), 'MALFORMED_SIGNATURE', 'tag 1 (epoch-based)'],
  ['content type as integer', () => coseHeaders(-7, [[3, 50]]), 'MALFORMED_SIGNATURE', 'content type (3)'],
  ['alg as text', () => coseHeaders(-7, [[1, 'ES256']]), 'MALFORMED_SIGNATURE', 'alg (1) must be an integer'],
  ['no alg', () => coseHeaders(-7, [[1, undefined]]), 'MALFORMED_SIGNATURE', 'alg (1) is missing'],
  [
    'signingAuthority without authentic signing time',
    () => coseHeaders(-7, [['io.cncf.notary.signingScheme', 'notary.x509.signingAuthority'], ['io.cncf.notary.signingTime', undefined]]),
    'MALFORMED_SIGNATURE',
    'missing protected header "io.cncf.notary.authenticSigningTime"',
  ],
];

describe('COSE protected header rules', () => {
  it.each(COSE_HEADER_CASES)('%s → %s', (_name, headers, code, message) => {
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, coseWith(headers()))).toThrowError(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('an unknown critical label is UNKNOWN_CRITICAL_ATTRIBUTE unless claimed', async () => {
    const bytes = coseWith(coseHeaders(-7, [[2, ['io.cncf.notary.signingScheme', 'com.example.policy', 99]], ['com.example.policy', 'p1'], [99, true]]));
    await expect(parseEnvelope(MEDIA_TYPE_COSE, bytes).verify()).rejects.toMatchObject({
      code: 'UNKNOWN_CRITICAL_ATTRIBUTE',
      message: expect.stringContaining('com.example.policy, 99'),
    });
    const content = await parseEnvelope(MEDIA_TYPE_COSE, bytes, { understoodCriticalAttributes: ['com.example.policy', '99'] }).verify();
    expect(content.signerInfo.signedAttributes.extendedAttributes).toEqual([
      { key: 'com.example.policy', critical: true, value: 'p1' },
      { key: '99', critical: true, value: true },
    ]);
  });

  it('accepts a single-certificate x5chain as one byte string (RFC 9360)', async () => {
    const bytes = coseWith(coseHeaders(-7), new Map([[33, Buffer.from(cert.der)]]));
    expect((await parseEnvelope(MEDIA_TYPE_COSE, bytes).verify()).signerInfo.certificateChain).toEqual([cert.der]);
  });
});

function hex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s/g, ''), 'hex'));
}

const COSE_STRUCTURE_CASES: [string, () => Uint8Array, string][] = [
  ['not CBOR', () => hex('ff'), 'COSE'],
  ['empty input', () => new Uint8Array(), 'unexpected end'],
  ['untagged COSE_Sign1', () => encodeCbor([Buffer.alloc(0), new Map(), Buffer.alloc(1), Buffer.alloc(1)]), 'COSE_Sign1_Tagged'],
  ['COSE_Sign tag 98', () => encodeCbor(new Tag([], 98)), 'tag 98 is not allowed'],
  ['three elements', () => encodeCbor(new Tag([Buffer.alloc(0), new Map(), Buffer.alloc(1)], 18)), 'array of protected'],
  ['protected not a byte string', () => encodeCbor(new Tag([new Map(), new Map(), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'protected header must be a byte string'],
  ['protected not a map', () => encodeCbor(new Tag([encodeCbor([1]), new Map(), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'must encode a map'],
  ['empty protected', () => encodeCbor(new Tag([Buffer.alloc(0), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'alg (1) is missing'],
  ['detached payload', () => encodeCbor(new Tag([encodeCbor(coseHeaders(-7)), coseChain([cert.der]), null, Buffer.alloc(1)], 18)), 'detached payloads'],
  ['no x5chain', () => coseWith(coseHeaders(-7), new Map()), 'x5chain (33)'],
  ['x5chain of text', () => coseWith(coseHeaders(-7), new Map([[33, ['cert']]])), 'x5chain (33) must be'],
  ['header in both buckets', () => coseWith(coseHeaders(-7), new Map<number | string, unknown>([[33, [Buffer.from(cert.der)]], [3, MEDIA_TYPE_NOTARY_PAYLOAD]])), 'both the protected and unprotected'],
  ['indefinite-length array', () => hex('d2 9f 40 a0 41 00 41 00 ff'), 'indefinite-length'],
  ['duplicate protected labels', () => encodeCbor(new Tag([hex('a2 01 26 01 26'), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'repeats a key'],
  // Keys compare decoded, as go-cose's decoder does: one label in two integer encodings is a duplicate.
  ['protected label 1 as 0x01 and as 0x18 0x01', () => encodeCbor(new Tag([hex('a2 01 26 1801 26'), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'repeats a key'],
  ['protected label -7 in one and in two bytes', () => encodeCbor(new Tag([hex('a3 01 26 26 00 3806 00'), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'repeats a key'],
  ['unprotected label 33 as 0x18 0x21 and as 0x19 0x0021', () => hex(`d2 84 43 a10126 a2 1821 40 190021 40 41 00 41 00`), 'repeats a key'],
  ['text label in two length encodings', () => encodeCbor(new Tag([hex('a3 01 26 6161 00 780161 00'), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'repeats a key'],
  ['float key 1.5 in half and single precision', () => encodeCbor(new Tag([hex('a3 01 26 f93e00 00 fa3fc00000 00'), coseChain([cert.der]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'repeats a key'],
  ['trailing bytes', () => new Uint8Array([...coseWith(coseHeaders(-7)), 0x00]), 'trailing bytes'],
  ['cbor-x generic-object tag 27 in a header', () => coseWith(coseHeaders(-7), new Map<number | string, unknown>([[33, [Buffer.from(cert.der)]], ['x', new Tag(['RegExp', '.*'], 27)]])), 'tag 27 is not allowed'],
  ['invalid UTF-8 text', () => encodeCbor(new Tag([hex('a1 01 62 ff fe'), new Map(), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'not valid UTF-8'],
  ['deep nesting', () => encodeCbor(new Tag([Buffer.alloc(0), new Map([['x', JSON.parse('['.repeat(40) + ']'.repeat(40))]]), Buffer.alloc(1), Buffer.alloc(1)], 18)), 'nest deeper'],
  ['huge declared length', () => hex('d2 84 5b ffffffffffffffff'), 'past the end'],
];

describe('COSE structure', () => {
  it.each(COSE_STRUCTURE_CASES)('%s → MALFORMED_SIGNATURE', (_name, bytes, message) => {
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, bytes())).toThrowError(
      expect.objectContaining({ code: 'MALFORMED_SIGNATURE', message: expect.stringContaining(message) }),
    );
  });
});

describe('no input crashes the parser', () => {
  it.each([MEDIA_TYPE_JWS, MEDIA_TYPE_COSE])('%s: 1500 mutations of a valid envelope end in a NotaryError or a verdict', async (mediaType) => {
    const valid = mediaType === MEDIA_TYPE_JWS ? jwsWith(jwsHeaders('ES256')) : coseWith(coseHeaders(-7));
    for (let round = 0; round < 1500; round++) {
      const mutated = Buffer.from(valid);
      const edits = 1 + (round % 4);
      for (let i = 0; i < edits; i++) mutated[randomBytes(4).readUInt32LE() % mutated.length] = randomBytes(1)[0] as number;
      const input = round % 7 === 0 ? mutated.subarray(0, randomBytes(4).readUInt32LE() % mutated.length) : mutated;
      try {
        await parseEnvelope(mediaType, input).verify();
      } catch (err) {
        if (!(err instanceof NotaryError)) throw new Error(`round ${round}: ${String(err)} for ${Buffer.from(input).toString('hex')}`);
      }
    }
  });
});
