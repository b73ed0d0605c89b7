// Asking for a username or password on the terminal (`-u NAME` without a password, `login`), never echoing the password.
import { spawnSync } from 'node:child_process';
import { readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { CliError } from './errors.js';

/** Longest line read from the terminal. */
const MAX_LINE_BYTES = 64 * 1024;

/** `stty` on the terminal of stdin: `-echo` while a password is typed, `echo` after. */
function stty(setting: string): void {
  spawnSync('stty', [setting], { stdio: ['inherit', 'ignore', 'ignore'] });
}

/** One line typed on stdin (a terminal), without its newline. Blocks: nothing else runs while a person types. */
function readTerminalLine(): string {
  const bytes: number[] = [];
  const byte = Buffer.alloc(1);
  for (;;) {
    let read: number;
    try {
      read = readSync(0, byte, 0, 1, null);
    } catch (err) {
      // A terminal left non-blocking by someone else: wait a moment and try again.
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        continue;
      }
      throw err;
    }
    if (read === 0 || byte[0] === 0x0a) break;
    bytes.push(byte[0] as number);
    if (bytes.length > MAX_LINE_BYTES) throw new CliError('USAGE', `the answer is longer than ${MAX_LINE_BYTES} bytes`);
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r$/, '');
}

/** Whether stdin is a terminal someone can answer on. */
export function canPrompt(): boolean {
  return isatty(0);
}

/** Ask on stderr and read the answer from the terminal; `secret` turns echo off. Throws USAGE with `whenNoTerminal` when stdin is not a terminal. */
export function promptOnTerminal(question: string, options: { secret: boolean; whenNoTerminal: string }): string {
  if (!canPrompt()) throw new CliError('USAGE', options.whenNoTerminal);
  process.stderr.write(question);
  if (!options.secret) return readTerminalLine();
  stty('-echo');
  try {
    return readTerminalLine();
  } finally {
    stty('echo');
    process.stderr.write('\n');
  }
}
