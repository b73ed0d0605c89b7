// `imgverify jp --payload FILE 'EXPRESSION'`: evaluate one JMESPath expression in Kyverno's dialect, like `kyverno jp query`.
import { goJsonIndent } from '../../common/index.js';
import { ConditionsError, searchJmesPath } from '../../conditions/index.js';
import { EXIT_OK, EXIT_USAGE, processOutput, type CliOutput } from '../flags.js';
import { reportError } from '../options.js';
import { readDocument } from './document.js';

export interface JpCommandOptions {
  payload: string;
}

/** Prints the result as indented JSON (Go's json.MarshalIndent, as kyverno prints it); any error goes to stderr with exit 2. */
export async function runJp(expression: string, options: JpCommandOptions, deps: { output?: CliOutput; stdin?: AsyncIterable<Uint8Array> } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const payload = await readDocument(options.payload, 'payload', deps.stdin);
    output.stdout(`${goJsonIndent(searchJmesPath(expression, payload))}\n`);
    return EXIT_OK;
  } catch (err) {
    const code = reportError(output, err);
    return err instanceof ConditionsError ? EXIT_USAGE : code;
  }
}
