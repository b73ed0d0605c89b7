// Distinguished names as trust policies write them (RFC 4514 strings, with notation's rules); certificates' own are read in src/pki.
import { canonicalAttributeType, NUMERIC_OID, type DistinguishedName } from '../../pki/index.js';
import { NotaryError } from '../errors.js';

/** The spec's minimum: each x509.subject identity names country, state or province, and organization. */
const MANDATORY_DN_ATTRIBUTES: readonly string[] = ['C', 'ST', 'O'];

const DESCRIPTOR = /^[A-Za-z][A-Za-z0-9-]*$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
/** RFC 4514 characters that may follow a backslash as themselves. */
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

/**
 * Parses an RFC 4514 distinguished name such as `C=US, ST=WA, O=wabbit-networks.io` with the
 * spec's escaping (`\,` `\;` `\\`, escaped leading/trailing spaces, `\XX` hex pairs) and notation's
 * rules: no multi-valued RDNs, no repeated attribute types, no `#` BER-encoded values, and C, ST
 * (or S) and O present. Throws NotaryError INVALID_TRUST_POLICY naming the problem after
 * `failure` (default: `distinguished name "<text>" is not valid`; a trusted identity names itself as written).
 */
export function parseDistinguishedName(text: string, failure = `distinguished name "${text}" is not valid`): DistinguishedName {
  const attributes = new Map<string, string>();
  const fail = (problem: string): never => {
    throw new NotaryError('INVALID_TRUST_POLICY', `${failure}: ${problem}`);
  };
  if (text.trim() === '') fail('it is empty');
  let index = 0;
  while (index <= text.length) {
    // Attribute type, up to '='.
    const equals = text.indexOf('=', index);
    if (equals < 0) fail(`"${text.slice(index).trim()}" is not of the form TYPE=value`);
    const rawType = text.slice(index, equals).trim();
    if (!DESCRIPTOR.test(rawType) && !NUMERIC_OID.test(rawType)) fail(`"${rawType}" is not an attribute type`);
    const type = canonicalAttributeType(rawType);
    // Attribute value, up to an unescaped ',' ';' or '+'.
    index = equals + 1;
    const bytes: number[] = [];
    let lastSignificant = 0; // length of `bytes` up to the last escaped or non-space character
    let sawNonSpace = false;
    let terminator: string | undefined;
    while (index < text.length) {
      const char = text[index] as string;
      if (char === ',' || char === ';' || char === '+') {
        terminator = char;
        index += 1;
        break;
      }
      if (char === '\\') {
        const next = text[index + 1];
        const pair = text.slice(index + 1, index + 3);
        if (HEX_PAIR.test(pair)) {
          bytes.push(parseInt(pair, 16));
          index += 3;
        } else if (next !== undefined && ESCAPABLE.has(next)) {
          bytes.push(...Buffer.from(next, 'utf8'));
          index += 2;
        } else {
          fail(`"\\${next ?? ''}" is not a valid escape (escape ',' ';' '+' '\\' '"' '<' '>' '=' '#' and spaces with a backslash)`);
        }
        sawNonSpace = true;
        lastSignificant = bytes.length;
        continue;
      }
      if (char === ' ' && !sawNonSpace) {
        index += 1; // unescaped leading spaces are not part of the value
        continue;
      }
      if (char === '#' && !sawNonSpace) fail(`the value of ${rawType} starts with '#': BER-encoded values are not supported`);
      if (char === '"' || char === '<' || char === '>') fail(`the value of ${rawType} has an unescaped '${char}'; escape it with a backslash`);
      const codePoint = text.codePointAt(index) as number;
      const encoded = Buffer.from(String.fromCodePoint(codePoint), 'utf8');
      bytes.push(...encoded);
      index += codePoint > 0xffff ? 2 : 1;
      if (char !== ' ') {
        sawNonSpace = true;
        lastSignificant = bytes.length;
      }
    }
    let value = '';
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes.slice(0, lastSignificant)));
    } catch {
      fail(`the value of ${rawType} is not valid UTF-8 once its \\XX escapes are decoded`);
    }
    if (terminator === '+') fail('multi-valued RDNs (joined with "+") are not supported');
    if (value === '') fail(`attribute ${rawType} has an empty value`);
    if (attributes.has(type)) fail(`attribute ${type} appears more than once; a DN can only have unique RDN attributes`);
    attributes.set(type, value);
    if (terminator === undefined) break;
  }
  for (const mandatory of MANDATORY_DN_ATTRIBUTES) {
    if (!attributes.has(mandatory)) fail(`it has no ${mandatory} attribute; it must contain C, ST (or S) and O at a minimum`);
  }
  return attributes;
}
