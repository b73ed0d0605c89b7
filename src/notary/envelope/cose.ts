// COSE_Sign1_Tagged envelope (application/cose) of signature-envelope-cose.md: parse and sign, go-cose compatible.
import { MEDIA_TYPE_NOTARY_PAYLOAD, type SignatureAlgorithm, type SignedAttributes, type UnsignedAttributes } from '../types.js';
import { algorithmFromCose, coseAlgorithmLabel } from './algorithm.js';
import { malformed, validateSignedAttributes } from './attributes.js';
import {
  ALLOWED_VALUE_TAGS,
  cborHead,
  decodeCbor,
  encodeCbor,
  deterministicMap,
  encodeDeterministicMap,
  epochDateTime,
  rawMapEntries,
  scanCbor,
  Tag,
  type RawMapEntry,
} from './cbor.js';
import {
  CBOR_TAG_COSE_SIGN1,
  CBOR_TAG_EPOCH_DATETIME,
  COSE_CRIT_FORBIDDEN_MAX_LABEL,
  COSE_LABEL_ALG,
  COSE_LABEL_CONTENT_TYPE,
  COSE_LABEL_CRIT,
  COSE_LABEL_X5CHAIN,
  COSE_SIGN1_CONTEXT,
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_SIGNING_AGENT,
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE,
  MAX_CRIT_ENTRIES,
  MAX_HEADER_ENTRIES,
  MAX_PAYLOAD_BYTES,
  MAX_PROTECTED_HEADER_BYTES,
  MAX_SIGNATURE_BYTES,
  MAX_TIMESTAMP_SIGNATURE_BYTES,
} from './constants.js';
import { parsedEnvelope } from './parsed.js';
import type { ParsedEnvelope } from './types.js';

const FORMAT = 'COSE';
type Label = number | string;
/** The envelope's own protected labels; every other one is an extended attribute. */
const NOTARY_PROTECTED_LABELS: ReadonlySet<Label> = new Set<Label>([
  COSE_LABEL_ALG,
  COSE_LABEL_CRIT,
  COSE_LABEL_CONTENT_TYPE,
  COSE_LABEL_X5CHAIN,
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
]);

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function label(key: unknown): Label {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' && Number.isSafeInteger(key)) return key;
  throw malformed(FORMAT, 'header labels must be integers or text strings');
}

interface HeaderEntry {
  value: unknown;
  raw: Uint8Array;
}

/** Decode a header map from its scanned entries; labels stay typed (1 and "1" differ). */
function headerMap(entries: RawMapEntry[], which: string): Map<Label, HeaderEntry> {
  if (entries.length > MAX_HEADER_ENTRIES) throw malformed(FORMAT, `the ${which} header has more than ${MAX_HEADER_ENTRIES} entries`);
  const headers = new Map<Label, HeaderEntry>();
  for (const entry of entries) {
    headers.set(label(decodeCbor(entry.key)), { value: decodeCbor(entry.value), raw: entry.value });
  }
  return headers;
}

/** A Notary time header: an epoch-based date/time, tag 1 (go-cose's parseTime rejects anything else). */
function timeHeader(headers: Map<Label, HeaderEntry>, name: string): Date | undefined {
  const entry = headers.get(name);
  if (!entry) return undefined;
  const head = cborHead(entry.raw);
  if (head.major !== 6 || head.argument !== CBOR_TAG_EPOCH_DATETIME) {
    throw malformed(FORMAT, `header "${name}" must be a tag 1 (epoch-based) date/time`);
  }
  const date = entry.value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw malformed(FORMAT, `header "${name}" is not a valid date/time`);
  return date;
}

function certificateChain(value: unknown): Uint8Array[] {
  // x5chain (RFC 9360) is one bstr for a single certificate, else an array of bstr.
  if (isBytes(value)) return [copy(value)];
  if (Array.isArray(value) && value.every(isBytes)) return value.map(copy);
  throw malformed(FORMAT, 'header x5chain (33) must be a byte string or an array of byte strings');
}

function stringLabel(value: Label): string {
  return typeof value === 'number' ? String(value) : value;
}

function signedHeaders(protectedHeaders: Map<Label, HeaderEntry>): { attributes: SignedAttributes; algorithm: SignatureAlgorithm } {
  const alg = protectedHeaders.get(COSE_LABEL_ALG)?.value;
  if (alg === undefined) throw malformed(FORMAT, 'protected header alg (1) is missing');
  if (typeof alg !== 'number') throw malformed(FORMAT, 'protected header alg (1) must be an integer');
  const algorithm = algorithmFromCose(alg);
  const contentType = protectedHeaders.get(COSE_LABEL_CONTENT_TYPE)?.value;
  if (contentType !== MEDIA_TYPE_NOTARY_PAYLOAD) {
    throw malformed(FORMAT, `protected header content type (3) must be "${MEDIA_TYPE_NOTARY_PAYLOAD}", got ${JSON.stringify(contentType)}`);
  }
  const crit = protectedHeaders.get(COSE_LABEL_CRIT)?.value;
  if (!Array.isArray(crit) || crit.length === 0 || crit.length > MAX_CRIT_ENTRIES) {
    throw malformed(FORMAT, `protected header crit (2) must be a non-empty array of at most ${MAX_CRIT_ENTRIES} labels`);
  }
  const critLabels = crit.map(label);
  for (const entry of critLabels) {
    if (typeof entry === 'number' && entry >= 0 && entry <= COSE_CRIT_FORBIDDEN_MAX_LABEL) {
      throw malformed(FORMAT, `crit must not list label ${entry} (labels 0 to ${COSE_CRIT_FORBIDDEN_MAX_LABEL} are reserved)`);
    }
  }
  const extended: { key: string; value: unknown }[] = [];
  for (const [key, entry] of protectedHeaders) {
    if (!NOTARY_PROTECTED_LABELS.has(key)) extended.push({ key: stringLabel(key), value: entry.value });
  }
  const attributes = validateSignedAttributes({
    format: FORMAT,
    signingScheme: protectedHeaders.get(HEADER_SIGNING_SCHEME)?.value,
    signingTime: timeHeader(protectedHeaders, HEADER_SIGNING_TIME),
    authenticSigningTime: timeHeader(protectedHeaders, HEADER_AUTHENTIC_SIGNING_TIME),
    expiry: timeHeader(protectedHeaders, HEADER_EXPIRY),
    crit: critLabels.map(stringLabel),
    present: new Set([...protectedHeaders.keys()].map(stringLabel)),
    extended,
  });
  return { attributes, algorithm };
}

/** Parse a COSE_Sign1_Tagged envelope and check it against signature-envelope-cose.md; nothing is verified yet. */
export function parseCose(bytes: Uint8Array): ParsedEnvelope {
  scanCbor(bytes, { topLevelTags: new Set([CBOR_TAG_COSE_SIGN1]) });
  const message = decodeCbor(bytes);
  if (!(message instanceof Tag) || message.tag !== CBOR_TAG_COSE_SIGN1) {
    throw malformed(FORMAT, 'the envelope must be a COSE_Sign1_Tagged object (CBOR tag 18)');
  }
  const parts: unknown = message.value;
  if (!Array.isArray(parts) || parts.length !== 4) {
    throw malformed(FORMAT, 'COSE_Sign1 must be an array of protected, unprotected, payload and signature');
  }
  const [protectedBytes, unprotected, payload, signature] = parts as unknown[];
  if (!isBytes(protectedBytes)) throw malformed(FORMAT, 'the protected header must be a byte string');
  if (protectedBytes.length > MAX_PROTECTED_HEADER_BYTES) {
    throw malformed(FORMAT, `the protected header is larger than ${MAX_PROTECTED_HEADER_BYTES} bytes`);
  }
  if (!(unprotected instanceof Map)) throw malformed(FORMAT, 'the unprotected header must be a map');
  if (payload === null || payload === undefined) throw malformed(FORMAT, 'detached payloads are not supported; the payload must be embedded');
  if (!isBytes(payload)) throw malformed(FORMAT, 'the payload must be a byte string');
  if (payload.length > MAX_PAYLOAD_BYTES) throw malformed(FORMAT, `the payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (!isBytes(signature) || signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) {
    throw malformed(FORMAT, `the signature must be a byte string of 1 to ${MAX_SIGNATURE_BYTES} bytes`);
  }

  // An empty protected bstr stands for an empty map (RFC 9052 §3); it then lacks alg and is rejected below.
  let protectedEntries: RawMapEntry[] = [];
  if (protectedBytes.length > 0) {
    scanCbor(protectedBytes, { topLevelTags: ALLOWED_VALUE_TAGS });
    if (cborHead(protectedBytes).major !== 5) throw malformed(FORMAT, 'the protected header must encode a map');
    protectedEntries = rawMapEntries(protectedBytes);
  }
  const protectedHeaders = headerMap(protectedEntries, 'protected');
  const unprotectedHeaders = new Map<Label, unknown>();
  if (unprotected.size > MAX_HEADER_ENTRIES) throw malformed(FORMAT, `the unprotected header has more than ${MAX_HEADER_ENTRIES} entries`);
  for (const [key, value] of unprotected as Map<unknown, unknown>) {
    const name = label(key);
    if (protectedHeaders.has(name)) throw malformed(FORMAT, `header ${JSON.stringify(name)} is in both the protected and unprotected buckets`);
    unprotectedHeaders.set(name, value);
  }

  const { attributes, algorithm } = signedHeaders(protectedHeaders);
  const x5chain = unprotectedHeaders.get(COSE_LABEL_X5CHAIN) ?? protectedHeaders.get(COSE_LABEL_X5CHAIN)?.value;
  if (x5chain === undefined) throw malformed(FORMAT, 'header x5chain (33), the certificate chain, is missing');
  const chain = certificateChain(x5chain);
  const unsigned: UnsignedAttributes = {};
  const timestamp = unprotectedHeaders.get(HEADER_TIMESTAMP_SIGNATURE);
  if (timestamp !== undefined) {
    if (!isBytes(timestamp) || timestamp.length > MAX_TIMESTAMP_SIGNATURE_BYTES) {
      throw malformed(FORMAT, `unprotected header "${HEADER_TIMESTAMP_SIGNATURE}" must be a byte string of at most ${MAX_TIMESTAMP_SIGNATURE_BYTES} bytes`);
    }
    if (timestamp.length > 0) unsigned.timestampSignature = copy(timestamp);
  }
  const agent = unprotectedHeaders.get(HEADER_SIGNING_AGENT);
  if (agent !== undefined) {
    if (typeof agent !== 'string') throw malformed(FORMAT, `unprotected header "${HEADER_SIGNING_AGENT}" must be a text string`);
    if (agent !== '') unsigned.signingAgent = agent;
  }
  return parsedEnvelope({
    format: FORMAT,
    attributes,
    unsigned,
    headerAlgorithm: algorithm,
    chain,
    signature: copy(signature),
    payload: copy(payload),
    signedBytes: sigStructure(protectedBytes, payload),
    integrityDefects: [],
  });
}

/** `Sig_structure = ["Signature1", body_protected, external_aad = h'', payload]`, canonically encoded. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor([COSE_SIGN1_CONTEXT, Buffer.from(protectedBytes), Buffer.alloc(0), Buffer.from(payload)]);
}

export interface CoseSignInput {
  algorithm: SignatureAlgorithm;
  attributes: SignedAttributes;
}

/**
 * The protected header as notation-core-go writes it (deterministic key order as go-cose encodes):
 * `crit` = signingScheme, authenticSigningTime, expiry, then critical extended attributes.
 */
export function coseProtectedHeader(input: CoseSignInput): Uint8Array {
  const { attributes } = input;
  const headers = new Map<Label, unknown>([[HEADER_SIGNING_SCHEME, attributes.signingScheme]]);
  const crit: Label[] = [HEADER_SIGNING_SCHEME];
  if (attributes.signingScheme === 'notary.x509') {
    headers.set(HEADER_SIGNING_TIME, epochDateTime(attributes.signingTime));
  } else {
    crit.push(HEADER_AUTHENTIC_SIGNING_TIME);
    headers.set(HEADER_AUTHENTIC_SIGNING_TIME, epochDateTime(attributes.signingTime));
  }
  if (attributes.expiry) {
    crit.push(HEADER_EXPIRY);
    headers.set(HEADER_EXPIRY, epochDateTime(attributes.expiry));
  }
  for (const attribute of attributes.extendedAttributes) {
    if (attribute.critical) crit.push(attribute.key);
    headers.set(attribute.key, attribute.value);
  }
  headers.set(COSE_LABEL_ALG, coseAlgorithmLabel(input.algorithm));
  headers.set(COSE_LABEL_CONTENT_TYPE, MEDIA_TYPE_NOTARY_PAYLOAD);
  headers.set(COSE_LABEL_CRIT, crit);
  return encodeDeterministicMap(headers);
}

/** The unprotected header map (x5chain, timestamp, signing agent) in deterministic order. */
export function coseUnprotectedHeader(chain: Uint8Array[], unsigned: UnsignedAttributes): Map<Label, unknown> {
  const entries: [Label, unknown][] = [];
  if (chain.length > 0) entries.push([COSE_LABEL_X5CHAIN, chain.map((der) => Buffer.from(der))]);
  if (unsigned.timestampSignature) entries.push([HEADER_TIMESTAMP_SIGNATURE, Buffer.from(unsigned.timestampSignature)]);
  if (unsigned.signingAgent) entries.push([HEADER_SIGNING_AGENT, unsigned.signingAgent]);
  return deterministicMap(entries);
}

/** `18([protected, unprotected, payload, signature])`. */
export function encodeCose(protectedBytes: Uint8Array, unprotected: Map<Label, unknown>, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCbor(new Tag([Buffer.from(protectedBytes), unprotected, Buffer.from(payload), Buffer.from(signature)], CBOR_TAG_COSE_SIGN1));
}
