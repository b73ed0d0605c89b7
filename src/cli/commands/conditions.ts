// `imgverify conditions --payload FILE --conditions FILE [--output json]`: evaluate Kyverno `{any, all}` conditions against a document.
import { ConditionsError, evaluateConditions, type ConditionsOutcome } from '../../conditions/index.js';
import { CliError } from '../errors.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, processOutput, type CliOutput } from '../flags.js';
import { reportError } from '../options.js';
import { readDocument } from './document.js';

export interface ConditionsCommandOptions {
  payload: string;
  conditions: string;
  output: 'text' | 'json';
}

function describe(outcome: ConditionsOutcome): string {
  const verdict = outcome.passed ? 'passed' : 'failed';
  // Kyverno joins a block's messages with "; ".
  return outcome.messages.length === 0 ? `Conditions ${verdict}.\n` : `Conditions ${verdict}: ${outcome.messages.join('; ')}\n`;
}

/** Exit 0 when the conditions pass, 1 when they fail, 2 for bad input (unreadable file, bad conditions, a JMESPath error). */
export async function runConditions(options: ConditionsCommandOptions, deps: { output?: CliOutput; stdin?: AsyncIterable<Uint8Array> } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    if (options.payload === '-' && options.conditions === '-') throw new CliError('USAGE', '--payload and --conditions cannot both be read from stdin');
    const payload = await readDocument(options.payload, 'payload', deps.stdin);
    const conditions = await readDocument(options.conditions, 'conditions', deps.stdin);
    const context = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
    if (context === undefined) throw new CliError('USAGE', 'the payload must be a JSON or YAML object (the context the conditions read)');
    // Conditions copied from a policy's attestations arrive escaped (\{{ … }}); read them as variables, as the service does.
    const outcome = evaluateConditions(conditions as Parameters<typeof evaluateConditions>[0], context, { unescapeVariables: true });
    output.stdout(options.output === 'json' ? `${JSON.stringify({ passed: outcome.passed, messages: outcome.messages })}\n` : describe(outcome));
    return outcome.passed ? EXIT_OK : EXIT_FAILED;
  } catch (err) {
    const code = reportError(output, err);
    // Every failure to evaluate is bad input here, whatever the code's default exit status.
    return err instanceof ConditionsError ? EXIT_USAGE : code;
  }
}
