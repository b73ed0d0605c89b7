// Bounded reads: a byte stream or a file read into memory without ever holding more than a limit.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export interface ReadLimitedOptions {
  /** Called before the size error is thrown, to release the source early (e.g. destroy a socket body). */
  stop?: () => void;
  /** Sees each chunk as it is accepted (e.g. to hash while reading). */
  onChunk?: (chunk: Uint8Array) => void;
}

/** Collect `stream`, throwing `tooLarge(received)` as soon as more than `limit` bytes have arrived. */
export async function readLimited(
  stream: AsyncIterable<Uint8Array>,
  limit: number,
  tooLarge: (received: number) => Error,
  options: ReadLimitedOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > limit) {
      options.stop?.();
      throw tooLarge(total);
    }
    options.onChunk?.(chunk);
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks, total);
  // A plain Uint8Array view, so callers don't come to depend on Buffer semantics.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Why a bounded file read failed; the caller turns it into its own domain's error. */
export type FileReadProblem =
  | { reason: 'unreadable'; cause: unknown }
  | { reason: 'not-a-file' }
  /** `size` is the file's size, or with `growing` the bytes read when it grew past the limit during the read. */
  | { reason: 'too-large'; size: number; growing: boolean };

export interface ReadFileLimitedOptions {
  /** Refuse a symbolic link as the last path component (O_NOFOLLOW), e.g. one planted after a directory listing. */
  noFollow?: boolean;
  /**
   * Also read pipes and devices (a CLI's `--key <(vault read …)`), still stopping at the limit;
   * otherwise only regular files are read.
   */
  allowSpecialFiles?: boolean;
}

/**
 * Read a regular file of at most `limit` bytes. One handle serves the type check, the size check
 * and the read, so a file replaced in between cannot slip past the limit; a file that grows while
 * being read is refused as soon as it passes the limit. Opened non-blocking, so a FIFO put in the
 * path is refused instead of waiting for a writer (unless `allowSpecialFiles`).
 */
export async function readFileLimited(
  path: string,
  limit: number,
  fail: (problem: FileReadProblem) => Error,
  options: ReadFileLimitedOptions = {},
): Promise<Uint8Array> {
  let handle: FileHandle;
  try {
    const flags = constants.O_RDONLY | (options.allowSpecialFiles ? 0 : constants.O_NONBLOCK) | (options.noFollow ? constants.O_NOFOLLOW : 0);
    handle = await open(path, flags);
  } catch (err) {
    throw fail({ reason: 'unreadable', cause: err });
  }
  try {
    let info;
    try {
      info = await handle.stat();
    } catch (err) {
      throw fail({ reason: 'unreadable', cause: err });
    }
    if (!info.isFile() && !options.allowSpecialFiles) throw fail({ reason: 'not-a-file' });
    if (info.size > limit) throw fail({ reason: 'too-large', size: info.size, growing: false });
    // One byte more than the file claims to hold, to notice one that grew since stat.
    let buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > limit) throw fail({ reason: 'too-large', size: length, growing: true });
        const larger = Buffer.alloc(Math.min(buffer.length * 2, limit + 1));
        buffer.copy(larger, 0, 0, length);
        buffer = larger;
      }
      let bytesRead: number;
      try {
        // From the current position (null), which pipes have and regular files opened here start at 0.
        ({ bytesRead } = await handle.read(buffer, length, buffer.length - length, null));
      } catch (err) {
        throw fail({ reason: 'unreadable', cause: err });
      }
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
  } finally {
    await handle.close();
  }
}

/**
 * A small UTF-8 text file (a manifest, a pull secret) read with `readFileLimited`; symlinks are
 * followed. Throws an Error whose message completes "<file> …": `is not a regular file`,
 * `is N bytes, more than the limit of L`, or the system error.
 */
export async function readTextFileLimited(path: string, limit: number): Promise<string> {
  const bytes = await readFileLimited(path, limit, (problem) => {
    switch (problem.reason) {
      case 'unreadable':
        return problem.cause instanceof Error ? problem.cause : new Error(String(problem.cause));
      case 'not-a-file':
        return new Error('is not a regular file');
      case 'too-large':
        return new Error(
          problem.growing ? `grew past the limit of ${limit} bytes while being read` : `is ${problem.size} bytes, more than the limit of ${limit}`,
        );
    }
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
