// Bounded reads: streams and files are refused as soon as they pass the limit, and every way a
// file read can go wrong reaches the caller as a FileReadProblem it turns into its own error.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readFileLimited, readLimited, readTextFileLimited, type FileReadProblem } from '../../src/common/index.js';

class ProblemError extends Error {
  constructor(readonly problem: FileReadProblem) {
    super(problem.reason);
  }
}

async function* chunks(...sizes: number[]): AsyncGenerator<Uint8Array> {
  let next = 0;
  for (const size of sizes) yield Uint8Array.from({ length: size }, () => next++ % 256);
}

describe('readLimited', () => {
  // name, chunk sizes, limit, size reported when refused, chunk sizes accepted before that
  test.each<[string, number[], number, number | undefined, number[]]>([
    ['no chunks', [], 0, undefined, []],
    ['under the limit', [3, 4], 10, undefined, [3, 4]],
    ['exactly the limit', [6, 4], 10, undefined, [6, 4]],
    ['one byte over, in the last chunk', [6, 5], 10, 11, [6]],
    ['over in the first chunk: later chunks are never pulled', [11, 1000], 10, 11, []],
  ])('%s', async (_name, sizes, limit, refusedAt, accepted) => {
    const seen: number[] = [];
    let stops = 0;
    const read = readLimited(chunks(...sizes), limit, (received) => new Error(`received ${received}`), {
      stop: () => stops++,
      onChunk: (chunk) => seen.push(chunk.byteLength),
    });
    if (refusedAt === undefined) {
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(await read).toEqual(Uint8Array.from({ length: total }, (_, i) => i % 256));
      expect(stops).toBe(0);
    } else {
      await expect(read).rejects.toThrow(`received ${refusedAt}`);
      expect(stops).toBe(1);
    }
    expect(seen).toEqual(accepted);
  });
});

describe('readFileLimited', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imgverify-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ten-bytes');
  writeFileSync(file, '0123456789');
  symlinkSync(file, join(dir, 'link'));
  mkdirSync(join(dir, 'sub'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);

  const read = (path: string, limit: number, noFollow = false) =>
    readFileLimited(path, limit, (problem) => new ProblemError(problem), { noFollow });
  const problemOf = async (path: string, limit: number, noFollow = false): Promise<FileReadProblem> => {
    const err: unknown = await read(path, limit, noFollow).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(err instanceof ProblemError)) throw new Error(`expected a ProblemError, got ${String(err)}`);
    return err.problem;
  };

  test('a file of exactly the limit', async () => {
    expect(Buffer.from(await read(file, 10)).toString()).toBe('0123456789');
  });

  test('a symlink is followed unless noFollow', async () => {
    expect(Buffer.from(await read(join(dir, 'link'), 10)).toString()).toBe('0123456789');
    expect(await problemOf(join(dir, 'link'), 10, true)).toMatchObject({ reason: 'unreadable', cause: { code: 'ELOOP' } });
  });

  test.each<[string, () => string, number, Partial<FileReadProblem> & Record<string, unknown>]>([
    ['one byte over the limit, known from its size', () => file, 9, { reason: 'too-large', size: 10, growing: false }],
    ['a missing file', () => join(dir, 'missing'), 10, { reason: 'unreadable', cause: expect.objectContaining({ code: 'ENOENT' }) }],
    ['a directory', () => join(dir, 'sub'), 10, { reason: 'not-a-file' }],
    ['a FIFO, without waiting for a writer', () => join(dir, 'fifo'), 10, { reason: 'not-a-file' }],
    ['a character device', () => '/dev/zero', 10, { reason: 'not-a-file' }],
    // procfs files claim size 0 and then produce text: the read itself must stop at the limit.
    ['a file that is larger than its size says', () => '/proc/self/status', 100, { reason: 'too-large', size: 101, growing: true }],
  ])('%s', async (_name, path, limit, expected) => {
    expect(await problemOf(path(), limit)).toEqual(expected);
  });

  test('allowSpecialFiles reads a pipe to its end, and stops a device at the limit', async () => {
    const fifo = join(dir, 'fifo-with-writer');
    execFileSync('mkfifo', [fifo]);
    const writing = writeFile(fifo, 'from a pipe');
    const bytes = await readFileLimited(fifo, 100, (problem) => new ProblemError(problem), { allowSpecialFiles: true });
    await writing;
    expect(Buffer.from(bytes).toString()).toBe('from a pipe');
    const endless = await readFileLimited('/dev/zero', 4096, (problem) => new ProblemError(problem), { allowSpecialFiles: true }).catch((e: unknown) => e);
    expect(endless).toBeInstanceOf(ProblemError);
    expect((endless as ProblemError).problem).toEqual({ reason: 'too-large', size: 4097, growing: true });
  });

  test('a file larger than its size says, within the limit, is read whole', async () => {
    const text = Buffer.from(await read('/proc/self/status', 1024 * 1024)).toString();
    expect(text).toMatch(/^Name:\t/);
    expect(text).toMatch(/\nPid:\t\d+\n/);
  });
});

describe('readTextFileLimited', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imgverify-read-text-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ok.yaml'), 'kind: TrustPolicy\nname: é\n');
  writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(11));
  mkdirSync(join(dir, 'folder'));
  symlinkSync('ok.yaml', join(dir, 'link.yaml'));

  test.each<[string, string | RegExp]>([
    ['ok.yaml', 'kind: TrustPolicy\nname: é\n'],
    ['link.yaml', 'kind: TrustPolicy\nname: é\n'],
    ['big.yaml', /^is 11 bytes, more than the limit of 10$/],
    ['folder', /^is not a regular file$/],
    ['missing.yaml', /^ENOENT: no such file or directory/],
  ])('%s', async (name, expected) => {
    const read = readTextFileLimited(join(dir, name), 10 + (typeof expected === 'string' ? 100 : 0));
    if (typeof expected === 'string') await expect(read).resolves.toBe(expected);
    else await expect(read).rejects.toThrow(expected);
  });
});
