// notation-core-go's envelope conformance vectors: our signer writes the same protected headers, payload and unprotected headers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decoder } from 'cbor-x';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, signEnvelope } from '../../../src/notary/envelope/index.js';
import { encodeCose } from '../../../src/notary/envelope/cose.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type ExtendedAttribute } from '../../../src/notary/types.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../../support/pki.js';

const CORE = join(NOTARY_FIXTURES, 'notation-core-go');
const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });

interface JwsVector {
  payload: string;
  protected: string;
  header: Record<string, unknown>;
  signature: string;
}

interface CoseVector {
  signingTime: number;
  expiry: number;
  payload: string;
  protectedHeaders: { cborHex: string };
  unprotectedHeaders: { cborHex: string };
  expectedOutput: { cborHex: string };
}

const jwsVector = JSON.parse(readFileSync(join(CORE, 'signature-jws-testdata/conformance.json'), 'utf8')) as JwsVector;
const coseVector = JSON.parse(readFileSync(join(CORE, 'signature-cose-testdata/conformance.json'), 'utf8')) as CoseVector;

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

describe('JWS conformance (signature/jws/conformance_test.go)', () => {
  // Upstream signs with an EC P-256 key (ES256), the attributes below and the signing agent.
  const extendedAttributes: ExtendedAttribute[] = [
    { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
    { key: 'signedKey1', value: 'signedValue1', critical: false },
    { key: 'signedKey2', value: 'signedValue1', critical: false },
    { key: 'signedKey3', value: 'signedValue1', critical: false },
    { key: 'signedKey4', value: 'signedValue1', critical: false },
  ];
  let chain: GeneratedChain;
  let envelope: { payload: string; protected: string; header: Record<string, unknown>; signature: string };

  beforeAll(async () => {
    chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'jws-leaf') } });
    const bytes = await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: new TextEncoder().encode('{"key":"hello JWS"}'),
      signingScheme: 'notary.x509',
      signingTime: new Date('2022-08-29T13:50:00Z'),
      expiry: new Date('2099-08-30T13:50:00Z'),
      extendedAttributes,
      signingAgent: 'NotationConformanceTest/1.0.0',
      privateKey: chain.leaf.privateKey,
      certificateChain: chain.chain,
    });
    envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof envelope;
  });

  it('writes the payload byte for byte', () => {
    expect(envelope.payload).toBe(jwsVector.payload);
  });

  it('writes the protected header byte for byte (sorted keys, crit order, RFC 3339 times)', () => {
    expect(envelope.protected).toBe(jwsVector.protected);
  });

  it('writes the unprotected header (x5c aside) as upstream', () => {
    const { x5c, ...rest } = envelope.header;
    expect(rest).toEqual(jwsVector.header);
    expect(x5c).toEqual(chain.chain.map((der) => Buffer.from(der).toString('base64')));
  });

  it('uses the envelope member order of notation-core-go', () => {
    expect(Object.keys(envelope)).toEqual(['payload', 'protected', 'header', 'signature']);
  });

  it('reads the upstream envelope: without its certificate chain it is malformed', () => {
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, Buffer.from(JSON.stringify(jwsVector)))).toThrowError(
      expect.objectContaining({ code: 'MALFORMED_SIGNATURE', message: expect.stringContaining('"x5c"') }),
    );
  });
});

describe('COSE conformance (signature/cose/conformance_test.go)', () => {
  let chain: GeneratedChain;
  let message: { tag: number; value: [Uint8Array, Map<unknown, unknown>, Uint8Array, Uint8Array] };

  beforeAll(async () => {
    // Upstream signs with RSA 3072 (PS384); generating such a key takes a while, so it is cached.
    chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { keyType: 'rsa-3072', keys: await cachedKeyPair('rsa-3072', 'cose-leaf') } });
    const bytes = await signEnvelope({
      mediaType: MEDIA_TYPE_COSE,
      payload: new TextEncoder().encode('hello COSE'),
      signingScheme: 'notary.x509',
      signingTime: new Date(coseVector.signingTime * 1000),
      expiry: new Date(coseVector.expiry * 1000),
      extendedAttributes: [
        { key: 'signedCritKey1', value: 'signedCritValue1', critical: true },
        { key: 'signedKey1', value: 'signedValue1', critical: false },
      ],
      signingAgent: 'NotationConformanceTest/1.0.0',
      privateKey: chain.leaf.privateKey,
      certificateChain: chain.chain,
    });
    message = decoder.decode(bytes) as typeof message;
  });

  it('is a COSE_Sign1_Tagged message', () => {
    expect(message.tag).toBe(18);
    expect(message.value).toHaveLength(4);
  });

  it('writes the protected header byte for byte (deterministic map order, tag 1 times, crit order)', () => {
    expect(Buffer.from(message.value[0]).toString('hex').toUpperCase()).toBe(coseVector.protectedHeaders.cborHex);
  });

  it('writes the payload and the unprotected header (x5chain aside) as upstream', () => {
    expect(Buffer.from(message.value[2]).toString()).toBe(Buffer.from(coseVector.payload, 'hex').toString());
    const unprotected = new Map(message.value[1]);
    expect((unprotected.get(33) as Uint8Array[]).map((der) => new Uint8Array(der))).toEqual(chain.chain);
    unprotected.delete(33);
    expect(unprotected).toEqual(decoder.decode(fromHex(coseVector.unprotectedHeaders.cborHex)));
  });

  it('frames COSE_Sign1 exactly as the upstream expected output', () => {
    const expected = decoder.decode(fromHex(coseVector.expectedOutput.cborHex)) as typeof message;
    const framed = encodeCose(
      fromHex(coseVector.protectedHeaders.cborHex),
      expected.value[1] as Map<string, unknown>,
      fromHex(coseVector.payload),
      expected.value[3],
    );
    expect(Buffer.from(framed).toString('hex').toUpperCase()).toBe(coseVector.expectedOutput.cborHex);
  });

  it('reads the upstream expected output: without x5chain it is malformed', () => {
    expect(() => parseEnvelope(MEDIA_TYPE_COSE, fromHex(coseVector.expectedOutput.cborHex))).toThrowError(
      expect.objectContaining({ code: 'MALFORMED_SIGNATURE', message: expect.stringContaining('x5chain') }),
    );
  });
});
