// JWS JSON flattened envelope (application/jose+json) of signature-envelope-jws.md: parse and sign, notation-go compatible.
import { goJsonMap, goJsonStruct } from '../../common/index.js';
import { MEDIA_TYPE_NOTARY_PAYLOAD, type SignatureAlgorithm, type SignedAttributes, type UnsignedAttributes } from '../types.js';
import { algorithmFromJws, jwsAlgorithmName } from './algorithm.js';
import { formatRfc3339, malformed, parseRfc3339, validateSignedAttributes } from './attributes.js';
import {
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_SIGNING_AGENT,
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE,
  JWS_REGISTERED_HEADERS,
  MAX_CRIT_ENTRIES,
  MAX_HEADER_ENTRIES,
  MAX_PAYLOAD_BYTES,
  MAX_PROTECTED_HEADER_BYTES,
  MAX_SIGNATURE_BYTES,
  MAX_TIMESTAMP_SIGNATURE_BYTES,
} from './constants.js';
import { decodeBase64, decodeBase64UrlLenient, encodeBase64, encodeBase64Url } from './encoding.js';
import { parsedEnvelope } from './parsed.js';
import type { ParsedEnvelope } from './types.js';

const FORMAT = 'JWS';
const ENVELOPE_MEMBERS = new Set(['payload', 'protected', 'header', 'signature']);
/** The envelope's own protected headers; every other one is an extended attribute. */
const NOTARY_PROTECTED_HEADERS = new Set([
  'alg',
  'cty',
  'crit',
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch (err) {
    throw malformed(FORMAT, `${what} is not valid UTF-8 JSON`, err);
  }
}

function base64UrlMember(envelope: Record<string, unknown>, name: string, limit: number, defects: string[]): Uint8Array {
  const value = envelope[name];
  if (typeof value !== 'string') throw malformed(FORMAT, `member "${name}" must be a base64url string`);
  // base64url holds 3 bytes per 4 characters: bound the text before decoding it.
  if (value.length > Math.ceil((limit * 4) / 3) + 4) throw malformed(FORMAT, `member "${name}" is larger than ${limit} bytes`);
  const decoded = decodeBase64UrlLenient(value);
  if (!decoded) throw malformed(FORMAT, `member "${name}" is not base64url`);
  if (!decoded.canonical) defects.push(`member "${name}" is not canonical base64url (RFC 7515 forbids padding and stray bits)`);
  return decoded.bytes;
}

function timeHeader(headers: Record<string, unknown>, name: string): Date | undefined {
  if (!(name in headers)) return undefined;
  const value = headers[name];
  const date = typeof value === 'string' ? parseRfc3339(value) : undefined;
  if (!date) throw malformed(FORMAT, `header "${name}" must be an RFC 3339 date-time string, got ${JSON.stringify(value)}`);
  return date;
}

/**
 * Read the unprotected header the way Go's encoding/json fills notation-core-go's struct: field
 * names match exactly or case-insensitively (older notation wrote `io.cncf.notary.SigningAgent`),
 * unknown members are ignored, the last of repeated members wins.
 */
function unsignedHeader(header: unknown): { chain: Uint8Array[]; unsigned: UnsignedAttributes } {
  if (!isRecord(header)) throw malformed(FORMAT, 'member "header" must be an object with the "x5c" certificate chain');
  const fields = ['x5c', HEADER_TIMESTAMP_SIGNATURE, HEADER_SIGNING_AGENT];
  const values = new Map<string, unknown>();
  for (const [key, value] of Object.entries(header)) {
    const field = fields.find((name) => name === key) ?? fields.find((name) => name.toLowerCase() === key.toLowerCase());
    if (field) values.set(field, value);
  }
  const x5c = values.get('x5c');
  if (!Array.isArray(x5c)) throw malformed(FORMAT, 'unprotected header "x5c" (the certificate chain) is missing or not an array');
  const chain = x5c.map((entry, index) => {
    const der = typeof entry === 'string' ? decodeBase64(entry) : undefined;
    if (!der) throw malformed(FORMAT, `x5c entry ${index} is not a base64 DER certificate`);
    return der;
  });
  const unsigned: UnsignedAttributes = {};
  const timestamp = values.get(HEADER_TIMESTAMP_SIGNATURE);
  if (timestamp !== undefined && timestamp !== null) {
    if (typeof timestamp !== 'string' || timestamp.length > Math.ceil((MAX_TIMESTAMP_SIGNATURE_BYTES * 4) / 3) + 4) {
      throw malformed(FORMAT, `unprotected header "${HEADER_TIMESTAMP_SIGNATURE}" must be a base64 string of at most ${MAX_TIMESTAMP_SIGNATURE_BYTES} bytes`);
    }
    const token = decodeBase64(timestamp);
    if (!token) throw malformed(FORMAT, `unprotected header "${HEADER_TIMESTAMP_SIGNATURE}" is not base64`);
    if (token.length > 0) unsigned.timestampSignature = token;
  }
  const agent = values.get(HEADER_SIGNING_AGENT);
  if (agent !== undefined && agent !== null) {
    if (typeof agent !== 'string') throw malformed(FORMAT, `unprotected header "${HEADER_SIGNING_AGENT}" must be a string`);
    if (agent !== '') unsigned.signingAgent = agent;
  }
  return { chain, unsigned };
}

function signedHeaders(protectedHeaders: Record<string, unknown>): { attributes: SignedAttributes; algorithm: SignatureAlgorithm } {
  const keys = Object.keys(protectedHeaders);
  if (keys.length > MAX_HEADER_ENTRIES) throw malformed(FORMAT, `the protected header has more than ${MAX_HEADER_ENTRIES} members`);
  const alg = protectedHeaders.alg;
  if (typeof alg !== 'string') throw malformed(FORMAT, 'protected header "alg" is missing or not a string');
  const algorithm = algorithmFromJws(alg);
  const cty = protectedHeaders.cty;
  if (cty !== MEDIA_TYPE_NOTARY_PAYLOAD) {
    throw malformed(FORMAT, `protected header "cty" must be "${MEDIA_TYPE_NOTARY_PAYLOAD}", got ${JSON.stringify(cty)}`);
  }
  const crit = protectedHeaders.crit;
  if (!Array.isArray(crit) || crit.length === 0 || crit.length > MAX_CRIT_ENTRIES || !crit.every((c) => typeof c === 'string')) {
    throw malformed(FORMAT, `protected header "crit" must be a non-empty array of at most ${MAX_CRIT_ENTRIES} header names`);
  }
  for (const name of crit as string[]) {
    if (JWS_REGISTERED_HEADERS.has(name)) throw malformed(FORMAT, `"crit" must not list the registered header "${name}"`);
  }
  const attributes = validateSignedAttributes({
    format: FORMAT,
    signingScheme: protectedHeaders[HEADER_SIGNING_SCHEME],
    signingTime: timeHeader(protectedHeaders, HEADER_SIGNING_TIME),
    authenticSigningTime: timeHeader(protectedHeaders, HEADER_AUTHENTIC_SIGNING_TIME),
    expiry: timeHeader(protectedHeaders, HEADER_EXPIRY),
    crit: crit as string[],
    present: new Set(keys),
    extended: keys.filter((key) => !NOTARY_PROTECTED_HEADERS.has(key)).map((key) => ({ key, value: protectedHeaders[key] })),
  });
  return { attributes, algorithm };
}

/** Parse a JWS envelope and check it against signature-envelope-jws.md; nothing is verified yet. */
export function parseJws(bytes: Uint8Array): ParsedEnvelope {
  const envelope = parseJson(bytes, 'the envelope');
  if (!isRecord(envelope)) throw malformed(FORMAT, 'the envelope must be a JSON object (JWS JSON flattened serialization)');
  for (const key of Object.keys(envelope)) {
    if (!ENVELOPE_MEMBERS.has(key)) {
      throw malformed(FORMAT, `unexpected member "${key}"; only the flattened members payload, protected, header and signature are allowed`);
    }
  }
  const integrityDefects: string[] = [];
  const protectedBytes = base64UrlMember(envelope, 'protected', MAX_PROTECTED_HEADER_BYTES, integrityDefects);
  const payload = base64UrlMember(envelope, 'payload', MAX_PAYLOAD_BYTES, integrityDefects);
  const signature = base64UrlMember(envelope, 'signature', MAX_SIGNATURE_BYTES, integrityDefects);
  if (signature.length === 0) throw malformed(FORMAT, 'member "signature" is empty');
  const protectedHeaders = parseJson(protectedBytes, 'the protected header');
  if (!isRecord(protectedHeaders)) throw malformed(FORMAT, 'the protected header must be a JSON object');
  const { attributes, algorithm } = signedHeaders(protectedHeaders);
  const { chain, unsigned } = unsignedHeader(envelope.header);
  // The signing input is built from the envelope's own base64url text, never from re-encoded values.
  const signingInput = Buffer.from(`${envelope.protected as string}.${envelope.payload as string}`, 'ascii');
  return parsedEnvelope({
    format: FORMAT,
    attributes,
    unsigned,
    headerAlgorithm: algorithm,
    chain,
    signature,
    payload,
    signedBytes: new Uint8Array(signingInput),
    integrityDefects,
  });
}

export interface JwsSignInput {
  algorithm: SignatureAlgorithm;
  payload: Uint8Array;
  attributes: SignedAttributes;
}

/**
 * The protected header exactly as notation-core-go writes it: a Go map (keys sorted), `crit` =
 * signingScheme, critical extended attributes, authenticSigningTime, expiry — in that order.
 */
export function jwsProtectedHeader(input: JwsSignInput): string {
  const { attributes } = input;
  const headers: Record<string, unknown> = {
    alg: jwsAlgorithmName(input.algorithm),
    cty: MEDIA_TYPE_NOTARY_PAYLOAD,
    [HEADER_SIGNING_SCHEME]: attributes.signingScheme,
  };
  const crit = [HEADER_SIGNING_SCHEME];
  for (const attribute of attributes.extendedAttributes) {
    headers[attribute.key] = attribute.value;
    if (attribute.critical) crit.push(attribute.key);
  }
  if (attributes.signingScheme === 'notary.x509') {
    headers[HEADER_SIGNING_TIME] = formatRfc3339(attributes.signingTime);
  } else {
    crit.push(HEADER_AUTHENTIC_SIGNING_TIME);
    headers[HEADER_AUTHENTIC_SIGNING_TIME] = formatRfc3339(attributes.signingTime);
  }
  if (attributes.expiry) {
    crit.push(HEADER_EXPIRY);
    headers[HEADER_EXPIRY] = formatRfc3339(attributes.expiry);
  }
  headers.crit = crit;
  return encodeBase64Url(Buffer.from(goJsonMap(headers), 'utf8'));
}

/** The JWS signing input `BASE64URL(protected) '.' BASE64URL(payload)`. */
export function jwsSigningInput(protectedHeader: string, payload: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(`${protectedHeader}.${encodeBase64Url(payload)}`, 'ascii'));
}

/** The envelope JSON in notation-core-go's member order (payload, protected, header, signature). */
export function encodeJws(
  protectedHeader: string,
  payload: Uint8Array,
  chain: Uint8Array[],
  unsigned: UnsignedAttributes,
  signature: Uint8Array,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (unsigned.timestampSignature) header[HEADER_TIMESTAMP_SIGNATURE] = encodeBase64(unsigned.timestampSignature);
  header.x5c = chain.map(encodeBase64);
  if (unsigned.signingAgent) header[HEADER_SIGNING_AGENT] = unsigned.signingAgent;
  const json = goJsonStruct({
    payload: encodeBase64Url(payload),
    protected: protectedHeader,
    header,
    signature: encodeBase64Url(signature),
  });
  return new Uint8Array(Buffer.from(json, 'utf8'));
}
