// `imgverify discover`: its flags; the registry code loads when the command runs.
import { Option, type Command } from 'commander';
import { DEFAULT_REFERRERS_TREE_DEPTH } from '../../oci/constants.js';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineDiscoverCommand(program: Command): void {
  const command = program
    .command('discover')
    .description('Show the referrers graph of an artifact (signatures, SBOMs, … and their own referrers)')
    .argument('<reference>', 'registry/repository[:tag|@digest], or PATH[:tag|@digest] with --oci-layout')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['tree', 'json']).default('tree'))
    .option('--artifact-type <type>', 'only referrers of this artifact type')
    .option('--depth <n>', `how many levels of referrers to follow (default ${DEFAULT_REFERRERS_TREE_DEPTH})`)
    .option('--oci-layout', 'the reference is an OCI image layout: PATH[:tag|@digest]');
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { discoverAction } = await import('../commands/discover.js');
    await discoverAction(reference, options);
  });
}
