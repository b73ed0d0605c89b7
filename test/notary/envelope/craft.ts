// Builds envelopes with arbitrary headers and a real signature, to test the rules a correct signer never breaks.
import { constants, sign, type KeyObject } from 'node:crypto';
import { encodeCbor, Tag } from '../../../src/notary/envelope/cbor.js';
import { encodeCose, sigStructure } from '../../../src/notary/envelope/cose.js';
import { signBytes } from '../../../src/notary/envelope/algorithm.js';
import { MEDIA_TYPE_NOTARY_PAYLOAD, type SignatureAlgorithm } from '../../../src/notary/types.js';

export const PAYLOAD = new TextEncoder().encode(
  '{"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:73c803930ea3ba1e54bc25c2bdc53edd0284c62ed651fe7b00369da519a3c333","size":16724}}',
);

export type Signing = SignatureAlgorithm | 'RSA-PKCS1-SHA-256';

function signWith(signing: Signing, key: KeyObject, data: Uint8Array): Uint8Array {
  if (signing === 'RSA-PKCS1-SHA-256') return new Uint8Array(sign('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }));
  return signBytes(signing, key, data);
}

export interface JwsParts {
  protectedHeader: Record<string, unknown>;
  header: Record<string, unknown>;
  payload?: Uint8Array;
  key: KeyObject;
  signing: Signing;
}

/** The usual notary.x509 JWS protected header for `alg`, to be overridden per test. */
export function jwsHeaders(alg: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    alg,
    crit: ['io.cncf.notary.signingScheme'],
    cty: MEDIA_TYPE_NOTARY_PAYLOAD,
    'io.cncf.notary.signingScheme': 'notary.x509',
    'io.cncf.notary.signingTime': '2024-01-02T03:04:05Z',
    ...overrides,
  };
}

export function craftJws(parts: JwsParts): { envelope: Record<string, unknown>; bytes: Uint8Array } {
  const protectedText = Buffer.from(JSON.stringify(parts.protectedHeader)).toString('base64url');
  const payloadText = Buffer.from(parts.payload ?? PAYLOAD).toString('base64url');
  const signature = signWith(parts.signing, parts.key, Buffer.from(`${protectedText}.${payloadText}`, 'ascii'));
  const envelope = { payload: payloadText, protected: protectedText, header: parts.header, signature: Buffer.from(signature).toString('base64url') };
  return { envelope, bytes: jsonBytes(envelope) };
}

export function jsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(value)));
}

export function x5c(chain: Uint8Array[]): string[] {
  return chain.map((der) => Buffer.from(der).toString('base64'));
}

/** The usual notary.x509 COSE protected header for `alg`, to be overridden per test (undefined deletes). */
export function coseHeaders(alg: number, overrides: [number | string, unknown][] = []): Map<number | string, unknown> {
  const headers = new Map<number | string, unknown>([
    [1, alg],
    [2, ['io.cncf.notary.signingScheme']],
    [3, MEDIA_TYPE_NOTARY_PAYLOAD],
    ['io.cncf.notary.signingScheme', 'notary.x509'],
    ['io.cncf.notary.signingTime', new Tag(1704164645, 1)],
  ]);
  for (const [key, value] of overrides) {
    if (value === undefined) headers.delete(key);
    else headers.set(key, value);
  }
  return headers;
}

export interface CoseParts {
  protectedBytes: Uint8Array;
  unprotected: Map<number | string, unknown>;
  payload?: Uint8Array;
  key: KeyObject;
  signing: Signing;
}

export function craftCose(parts: CoseParts): Uint8Array {
  const payload = parts.payload ?? PAYLOAD;
  const signature = signWith(parts.signing, parts.key, sigStructure(parts.protectedBytes, payload));
  return encodeCose(parts.protectedBytes, parts.unprotected, payload, signature);
}

export function coseChain(chain: Uint8Array[]): Map<number | string, unknown> {
  return new Map<number | string, unknown>([[33, chain.map((der) => Buffer.from(der))]]);
}

export { encodeCbor, Tag };
