// Registry JSON documents parsed at the boundary: bounded nesting before JSON.parse, strict UTF-8.
import { MAX_JSON_DEPTH } from './constants.js';
import { OciError, type OciErrorCode } from './errors.js';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** One strict decoder for every document (decode() keeps no state between calls without `stream`). */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Refuse JSON that nests arrays and objects deeper than `maxDepth`, in one pass over the bytes and
 * before JSON.parse builds anything (a 4 MiB `[[[[…` costs about a second to parse and collect).
 * Brackets inside strings do not count; anything else malformed is left to JSON.parse.
 */
export function checkJsonDepth(bytes: Uint8Array, what: string, maxDepth = MAX_JSON_DEPTH): void {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      // Skip the string; UTF-8 continuation bytes never equal an ASCII quote or backslash.
      for (i++; i < bytes.length && bytes[i] !== QUOTE; i++) if (bytes[i] === BACKSLASH) i++;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) {
        throw new OciError('SIZE_LIMIT_EXCEEDED', `${what} nests JSON deeper than ${maxDepth} levels; refusing a pathological document`);
      }
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
}

/** Parse a registry JSON document: nesting bounded first, then strict UTF-8 and JSON.parse; `invalid` names the code of bad JSON. */
export function parseJsonDocument(bytes: Uint8Array, what: string, invalid: OciErrorCode): unknown {
  checkJsonDepth(bytes, what);
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (err) {
    throw new OciError(invalid, `${what} is not valid UTF-8 JSON`, { cause: err });
  }
}
