// `imgverify policy import | show`: notation's OCI trust policy commands; the code loads when one runs.
import type { Command } from 'commander';

const CONFIG_DIR_HELP = "notation configuration directory (default: $NOTATION_CONFIG, $NOTATION_DIR, else notation's user config dir)";

export function defineTrustPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('Manage trust policy configuration for signature verification (trustpolicy.oci.json)');
  policy
    .command('import')
    .description('Import OCI trust policy configuration from a JSON file')
    .argument('<file_path>', 'trust policy JSON file')
    .option('--force', 'override the existing OCI trust policy configuration without prompt')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (file: string, options) => {
      const { runPolicyImport } = await import('../commands/policy.js');
      process.exitCode = await runPolicyImport(file, options);
    });
  policy
    .command('show')
    .description('Show OCI trust policy configuration')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (options) => {
      const { runPolicyShow } = await import('../commands/policy.js');
      process.exitCode = await runPolicyShow(options);
    });
}
