// Read a byte stream into memory without ever holding more than a limit, hashing as it goes.
import { readLimited as readBytesLimited } from '../common/index.js';
import { Digester, type DigestAlgorithm } from './digest.js';
import { OciError } from './errors.js';

export interface ReadLimitedResult {
  bytes: Uint8Array;
  /** Digest of the bytes with the requested algorithm, when one was requested. */
  digest?: string;
}

/**
 * Collect `stream`, failing with SIZE_LIMIT_EXCEEDED (via `tooLarge`) as soon as more than `limit`
 * bytes arrived; `stop` is called to release the source early (e.g. destroy the socket body).
 */
export async function readLimited(
  stream: AsyncIterable<Uint8Array>,
  limit: number,
  tooLarge: (received: number) => OciError,
  options: { stop?: () => void; algorithm?: DigestAlgorithm } = {},
): Promise<ReadLimitedResult> {
  const digester = options.algorithm ? new Digester(options.algorithm) : undefined;
  const bytes = await readBytesLimited(stream, limit, tooLarge, { stop: options.stop, onChunk: digester && ((chunk) => digester.update(chunk)) });
  return digester ? { bytes, digest: digester.digest() } : { bytes };
}

export function sizeLimitError(what: string, size: number | string, limit: number, hint: string): OciError {
  return new OciError('SIZE_LIMIT_EXCEEDED', `${what} is ${size} bytes, over the limit of ${limit} bytes; ${hint}`);
}
