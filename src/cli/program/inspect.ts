// `imgverify inspect`: notation's flags; the signature code loads when the command runs.
import { Option, type Command } from 'commander';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineInspectCommand(program: Command): void {
  const command = program
    .command('inspect')
    .description('Inspect all signatures associated with the signed artifact (like `notation inspect`; `manifest fetch` shows the manifest)')
    .argument('<reference>', 'registry/repository[:tag|@digest], or PATH[:tag|@digest] with --oci-layout')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--max-signatures <n>', 'maximum number of signatures to evaluate or examine', '100')
    .option('--oci-layout', 'the reference is an OCI image layout: PATH[:tag|@digest]');
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { inspectAction } = await import('../commands/inspect.js');
    await inspectAction(reference, options);
  });
}
