// Strict CBOR for COSE: a well-formedness scan of untrusted bytes before cbor-x decodes them, and deterministic encoding.
import { Decoder, Encoder, Tag } from 'cbor-x';
import { NotaryError } from '../errors.js';
import { MAX_NESTING_DEPTH } from './constants.js';

/*
 * cbor-x is a general-purpose codec: it accepts indefinite lengths, silently keeps the last of
 * duplicate map keys, and turns many tags (records, shared references, typed arrays, RegExp...)
 * into objects. COSE needs go-cose's strictness instead, so every byte string is first scanned
 * here: definite lengths only, no duplicate keys, valid UTF-8, bounded nesting, and only the
 * tags a Notary envelope uses. Only then does cbor-x decode it.
 */

/** Tags allowed inside header values: date/time (0, 1) and bignums (2, 3). */
export const ALLOWED_VALUE_TAGS: ReadonlySet<number> = new Set([0, 1, 2, 3]);

const decoder = new Decoder({ mapsAsObjects: false, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: false, useRecords: false, tagUint8Array: false, variableMapSize: true });
const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(message: string): NotaryError {
  return new NotaryError('MALFORMED_SIGNATURE', `malformed COSE envelope: ${message}`);
}

interface Head {
  major: number;
  /** The argument: a length, a count, a tag number or an integer value. */
  argument: number;
  additional: number;
  /** Offset just after the head. */
  next: number;
}

function readHead(bytes: Uint8Array, offset: number): Head {
  if (offset >= bytes.length) throw malformed('unexpected end of CBOR data');
  const initial = bytes[offset] as number;
  const major = initial >> 5;
  const additional = initial & 0x1f;
  if (additional < 24) return { major, argument: additional, additional, next: offset + 1 };
  if (additional > 27) {
    throw malformed(additional === 31 ? 'indefinite-length items are not allowed' : `reserved CBOR additional info ${additional}`);
  }
  const size = 1 << (additional - 24);
  if (offset + 1 + size > bytes.length) throw malformed('unexpected end of CBOR data');
  let argument = 0;
  for (let i = 0; i < size; i++) argument = argument * 256 + (bytes[offset + 1 + i] as number);
  return { major, argument, additional, next: offset + 1 + size };
}

export interface ScanOptions {
  /** Tags allowed at this level (the top of a COSE envelope allows 18 only). */
  topLevelTags?: ReadonlySet<number>;
}

/** Scan one data item at `offset`; returns the offset after it. Throws MALFORMED_SIGNATURE on anything non-strict. */
function scanItem(bytes: Uint8Array, offset: number, depth: number, allowedTags: ReadonlySet<number>): number {
  if (depth > MAX_NESTING_DEPTH) throw malformed(`values nest deeper than ${MAX_NESTING_DEPTH} levels`);
  const head = readHead(bytes, offset);
  const remaining = bytes.length - head.next;
  switch (head.major) {
    case 0:
    case 1:
      return head.next;
    case 2:
    case 3: {
      if (head.argument > remaining) throw malformed('string length runs past the end of the data');
      const end = head.next + head.argument;
      if (head.major === 3) {
        try {
          utf8.decode(bytes.subarray(head.next, end));
        } catch {
          throw malformed('text string is not valid UTF-8');
        }
      }
      return end;
    }
    case 4: {
      // Each item takes at least one byte: a count beyond that is a lie, not a reason to loop.
      if (head.argument > remaining) throw malformed('array length runs past the end of the data');
      let next = head.next;
      for (let i = 0; i < head.argument; i++) next = scanItem(bytes, next, depth + 1, ALLOWED_VALUE_TAGS);
      return next;
    }
    case 5: {
      if (head.argument * 2 > remaining) throw malformed('map length runs past the end of the data');
      let next = head.next;
      const keys = new Set<string>();
      for (let i = 0; i < head.argument; i++) {
        const keyEnd = scanItem(bytes, next, depth + 1, ALLOWED_VALUE_TAGS);
        const key = itemIdentity(bytes, next)[0];
        if (keys.has(key)) throw malformed('a map repeats a key');
        keys.add(key);
        next = scanItem(bytes, keyEnd, depth + 1, ALLOWED_VALUE_TAGS);
      }
      return next;
    }
    case 6: {
      if (!allowedTags.has(head.argument)) throw malformed(`CBOR tag ${head.argument} is not allowed here`);
      if (head.argument === 1) {
        const inner = readHead(bytes, head.next);
        const isNumber = inner.major === 0 || inner.major === 1 || (inner.major === 7 && inner.additional >= 25 && inner.additional <= 27);
        if (!isNumber) throw malformed('tag 1 (epoch date/time) must wrap a number');
      }
      return scanItem(bytes, head.next, depth + 1, ALLOWED_VALUE_TAGS);
    }
    default: {
      // Major 7: false, true, null, undefined and floats; other simple values have no meaning here.
      if (head.additional >= 20 && head.additional <= 23) return head.next;
      if (head.additional >= 25 && head.additional <= 27) return head.next;
      throw malformed(`CBOR simple value ${head.argument} is not allowed`);
    }
  }
}

/**
 * What a (scanned) item decodes to, as a string: equal for encodings of the same value, so a key
 * written once as 0x01 and once as 0x18 0x01 is a duplicate, as go-cose's decoder finds
 * (fxamacker/cbor compares decoded keys). Returns the identity and the offset after the item.
 */
function itemIdentity(bytes: Uint8Array, offset: number): [string, number] {
  const head = readHead(bytes, offset);
  switch (head.major) {
    case 0:
    case 1:
      // The argument's bytes, not a JS number: 64-bit integers stay exact.
      return [`${head.major}:${head.additional < 24 ? head.argument.toString(16) : minimalHex(bytes.subarray(offset + 1, head.next))}`, head.next];
    case 2:
    case 3:
      return [`${head.major}:${Buffer.from(bytes.subarray(head.next, head.next + head.argument)).toString('hex')}`, head.next + head.argument];
    case 4:
    case 5: {
      const parts: string[] = [];
      let next = head.next;
      for (let i = 0; i < head.argument * (head.major === 5 ? 2 : 1); i++) {
        const [part, end] = itemIdentity(bytes, next);
        parts.push(part);
        next = end;
      }
      return [`${head.major}(${parts.join(',')})`, next];
    }
    case 6: {
      const [inner, end] = itemIdentity(bytes, head.next);
      return [`6:${head.argument}(${inner})`, end];
    }
    default: {
      if (head.additional < 25 || head.additional > 27) return [`7:${head.argument}`, head.next];
      // Half, single and double precision encodings of one number are one key.
      const value = decoder.decode(bytes.subarray(offset, head.next)) as number;
      return [`7f:${Object.is(value, -0) ? '-0' : String(value)}`, head.next];
    }
  }
}

function minimalHex(argument: Uint8Array): string {
  return BigInt(`0x${Buffer.from(argument).toString('hex')}`).toString(16);
}

/** Check that `bytes` is exactly one strict CBOR data item. */
export function scanCbor(bytes: Uint8Array, options: ScanOptions = {}): void {
  const end = scanItem(bytes, 0, 0, options.topLevelTags ?? ALLOWED_VALUE_TAGS);
  if (end !== bytes.length) throw malformed('trailing bytes after the CBOR data item');
}

/** Decode bytes already checked by scanCbor. */
export function decodeCbor(bytes: Uint8Array): unknown {
  try {
    return decoder.decode(bytes);
  } catch (err) {
    throw new NotaryError('MALFORMED_SIGNATURE', `malformed COSE envelope: ${(err as Error).message}`, { cause: err });
  }
}

export interface RawMapEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** The raw key and value bytes of each entry of the (scanned) map `bytes`, like Go's map[any]cbor.RawMessage. */
export function rawMapEntries(bytes: Uint8Array): RawMapEntry[] {
  const head = readHead(bytes, 0);
  if (head.major !== 5) throw malformed('expected a CBOR map');
  const entries: RawMapEntry[] = [];
  let next = head.next;
  for (let i = 0; i < head.argument; i++) {
    const keyEnd = scanItem(bytes, next, 1, ALLOWED_VALUE_TAGS);
    const valueEnd = scanItem(bytes, keyEnd, 1, ALLOWED_VALUE_TAGS);
    entries.push({ key: bytes.subarray(next, keyEnd), value: bytes.subarray(keyEnd, valueEnd) });
    next = valueEnd;
  }
  return entries;
}

/** Major type and argument of the first item of `bytes`, e.g. to tell a tag-1 date from a plain number. */
export function cborHead(bytes: Uint8Array): { major: number; argument: number } {
  const head = readHead(bytes, 0);
  return { major: head.major, argument: head.argument };
}

export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(encoder.encode(value));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/**
 * A header map with its keys in core deterministic order (RFC 8949 §4.2.1: bytewise order of the
 * encoded keys), as go-cose encodes headers, so our bytes match notation's.
 */
export function deterministicMap<K extends number | string>(entries: Iterable<[K, unknown]>): Map<K, unknown> {
  const sorted = [...entries]
    .map(([key, value]) => ({ key, value, encodedKey: encodeCbor(key) }))
    .sort((a, b) => compareBytes(a.encodedKey, b.encodedKey));
  return new Map(sorted.map((entry) => [entry.key, entry.value]));
}

export function encodeDeterministicMap(entries: Iterable<[number | string, unknown]>): Uint8Array {
  return encodeCbor(deterministicMap(entries));
}

/** An epoch-based date/time (tag 1) with whole seconds, as the Notary COSE headers carry times. */
export function epochDateTime(date: Date): Tag {
  return new Tag(Math.floor(date.getTime() / 1000), 1);
}

export { Tag };
