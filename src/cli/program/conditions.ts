// `imgverify conditions` and `imgverify jp`: their flags; the conditions engine loads when one runs.
import { Option, type Command } from 'commander';

export function defineConditionsCommand(program: Command): void {
  program
    .command('conditions')
    .description('Evaluate Kyverno {any, all} conditions (a block or a list of blocks) against a JSON or YAML document')
    .requiredOption('--payload <file>', 'the document the conditions read (JSON or YAML; - for stdin)')
    .requiredOption('--conditions <file>', 'the conditions (JSON or YAML; - for stdin)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (options) => {
      const { runConditions } = await import('../commands/conditions.js');
      process.exitCode = await runConditions(options);
    });
}

export function defineJpCommand(program: Command): void {
  program
    .command('jp')
    .description("Evaluate a JMESPath expression in Kyverno's dialect (its custom functions included) against a JSON or YAML document")
    .argument('<expression>', 'the JMESPath expression')
    .requiredOption('--payload <file>', 'the document to query (JSON or YAML; - for stdin)')
    .action(async (expression: string, options) => {
      const { runJp } = await import('../commands/jp.js');
      process.exitCode = await runJp(expression, options);
    });
}
