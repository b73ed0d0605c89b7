// `imgverify copy`: its flags; the registry code loads when the command runs.
import { Option, type Command } from 'commander';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineCopyCommand(program: Command): void {
  const command = program
    .command('copy')
    .alias('cp')
    .description('Copy an artifact between registries and OCI layouts; with -r also its referrers (signatures, SBOMs), recursively')
    .argument('[source]', 'registry/repository:tag|@digest (omit with --from-oci-layout PATH; a layout PATH with the flag alone, as oras)')
    .argument('[destination]', 'registry/repository[:tag] (omit with --to-oci-layout PATH; a layout PATH with the flag alone, as oras)')
    .option('-r, --recursive', 'also copy the referrers of every copied manifest, recursively')
    .option('--from-oci-layout [path[:tag|@digest]]', 'copy from this OCI image layout; without a path (oras), the source argument is one')
    .option('--to-oci-layout [path[:tag]]', 'copy into this OCI image layout (created when missing); without a path (oras), the destination argument is one')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (source: string | undefined, destination: string | undefined, options) => {
    const { copyAction } = await import('../commands/copy.js');
    await copyAction([source, destination].filter((value): value is string => value !== undefined), options);
  });
}
