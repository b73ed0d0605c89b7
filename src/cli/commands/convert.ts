// `imgverify convert FILE…`: read each manifest (bounded), convert its Kyverno policies, print the YAML stream; exit 2 on a document that is not a policy.
import { convertPolicies } from '../../webhook/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, processOutput, type CliOutput } from '../flags.js';
import { reportError } from '../options.js';
import { readDocumentText } from './document.js';

export async function runConvert(files: readonly string[], deps: { output?: CliOutput; stdin?: AsyncIterable<Uint8Array> } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    if (files.filter((file) => file === '-').length > 1) throw new CliError('USAGE', 'stdin (-) can be read once');
    const converted: string[] = [];
    for (const file of files) {
      const result = convertPolicies(await readDocumentText(file, 'policy file', deps.stdin), file === '-' ? '(stdin)' : file);
      for (const warning of result.warnings) output.stderr(`Warning: ${warning}\n`);
      if (result.yaml !== '') converted.push(result.yaml);
    }
    output.stdout(converted.join('---\n'));
    return EXIT_OK;
  } catch (err) {
    return reportError(output, err);
  }
}
