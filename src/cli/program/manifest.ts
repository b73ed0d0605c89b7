// `imgverify manifest fetch`: its flags (oras's command name); the registry code loads when the command runs.
import { Option, type Command } from 'commander';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineManifestCommand(program: Command): void {
  const command = program
    .command('manifest')
    .description('Manifest commands (as oras)')
    .command('fetch')
    .description('Show the manifest of an artifact as stored, with its digest, size and media type')
    .argument('<reference>', 'registry/repository[:tag|@digest], or PATH[:tag|@digest] with --oci-layout')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--oci-layout', 'the reference is an OCI image layout: PATH[:tag|@digest]');
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { manifestFetchAction } = await import('../commands/manifest.js');
    await manifestFetchAction(reference, options);
  });
}
