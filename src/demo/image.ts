// Builds a tiny but real container image layer: a gzip-compressed tar holding one file.
import { gzipSync } from 'node:zlib';

const BLOCK = 512;

/** ustar header for a regular file (POSIX.1-1988), octal fields NUL-terminated. */
function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0') + '\0';
  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(size, 12));
  field(136, 12, octal(mtimeSeconds, 12));
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  field(148, 8, checksum.toString(8).padStart(6, '0') + '\0 ');
  return header;
}

/** A `.tar.gz` layer with one file; identical inputs give identical bytes (fixed mtime, no gzip name). */
export function tarGzLayer(fileName: string, content: string): Uint8Array {
  const body = Buffer.from(content, 'utf8');
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK, 0);
  const tar = Buffer.concat([tarHeader(fileName, body.length, 0), body, padding, Buffer.alloc(BLOCK * 2, 0)]);
  return new Uint8Array(gzipSync(tar));
}
