// PEM text (RFC 7468): the one reader of PEM blocks and the one writer, shared by trust stores, config, signing and TLS.

/** One `-----BEGIN label-----` … `-----END endLabel-----` block, as written. */
export interface PemBlock {
  label: string;
  /** The END line's label; a block whose labels differ is malformed (the caller says how to report it). */
  endLabel: string;
  /** The decoded body; undefined when the body is empty or not base64. */
  der: Uint8Array | undefined;
}

export interface PemText {
  blocks: PemBlock[];
  /** A BEGIN or END line outside any complete block (a block cut short, or an END without its BEGIN). */
  incomplete: boolean;
}

const PEM_BLOCK = /-----BEGIN ([^-\r\n]*)-----\r?\n?([\s\S]*?)-----END ([^-\r\n]*)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;
const PEM_BEGIN = '-----BEGIN ';

/**
 * The blocks of a PEM text in order, at most `maxBlocks` (+1, so a caller can say "more than"):
 * each block ends at the first END line after its BEGIN, whatever that END names, so one bad
 * block never swallows the next. Text between blocks is ignored, as RFC 7468 allows.
 */
export function readPem(text: string, maxBlocks = Number.POSITIVE_INFINITY): PemText {
  const blocks: PemBlock[] = [];
  let rest = '';
  let last = 0;
  for (const match of text.matchAll(PEM_BLOCK)) {
    rest += text.slice(last, match.index);
    last = (match.index ?? 0) + match[0].length;
    const body = (match[2] ?? '').replace(/\s+/g, '');
    const der = body.length > 0 && BASE64_BODY.test(body) ? new Uint8Array(Buffer.from(body, 'base64')) : undefined;
    blocks.push({ label: match[1] ?? '', endLabel: match[3] ?? '', der });
    if (blocks.length > maxBlocks) break;
  }
  rest += text.slice(last);
  return { blocks, incomplete: rest.includes('-----BEGIN') || rest.includes('-----END') };
}

/** True when `bytes` look like PEM text rather than DER (which starts with a SEQUENCE tag). */
export function isPem(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x30) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(PEM_BEGIN, 0, 'latin1');
}

/** One PEM block of `der`, base64 in 64-character lines. */
export function toPem(label: string, der: Uint8Array): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
