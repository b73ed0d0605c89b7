// notation's confirmation prompt (`<question> [y/N] `): yes only for `y` or `yes`, the first line of stdin.
import { CliError } from '../errors.js';
import type { CliOutput } from '../flags.js';

/** The longest answer read. */
const MAX_ANSWER_BYTES = 1024;

export type ConfirmInput = AsyncIterable<Uint8Array>;

/** The first line of `input`, read no further than it needs. */
async function firstLine(input: ConfirmInput): Promise<string | undefined> {
  let text = '';
  for await (const chunk of input) {
    text += Buffer.from(chunk).toString('utf8');
    const newline = text.indexOf('\n');
    if (newline >= 0) return text.slice(0, newline).replace(/\r$/, '');
    if (text.length > MAX_ANSWER_BYTES) throw new CliError('USAGE', `the answer is longer than ${MAX_ANSWER_BYTES} bytes`);
  }
  return text === '' ? undefined : text;
}

/** True when `confirmed` (-y/--force) or the user answers y/yes; anything else prints `Operation cancelled.`, end of input says nothing (as notation). */
export async function askForConfirmation(prompt: string, confirmed: boolean, output: CliOutput, input: ConfirmInput = process.stdin): Promise<boolean> {
  if (confirmed) return true;
  output.stdout(`${prompt} [y/N] `);
  const answer = await firstLine(input);
  if (answer === undefined) return false;
  if (['y', 'yes'].includes(answer.toLowerCase())) return true;
  output.stdout('Operation cancelled.\n');
  return false;
}
