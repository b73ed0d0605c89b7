// `imgverify config export`: its flags; the config code loads when it runs.
import type { Command } from 'commander';

export function defineConfigCommand(program: Command): void {
  program
    .command('config')
    .description('Share one trust setup between the CLI and the service')
    .command('export')
    .description("Print a notation config dir's trust policy and the trust stores it references as TrustPolicy/TrustStore manifests for `serve --config-dir` or kubectl apply")
    .option('--config-dir <dir>', "notation configuration directory (default: $NOTATION_CONFIG, $NOTATION_DIR, else notation's user config dir)")
    .option('--name <name>', 'name of the TrustPolicy (what requests and DEFAULT_TRUST_POLICY select)', 'notation')
    .action(async (options) => {
      const { runConfigExport } = await import('../commands/config-export.js');
      process.exitCode = await runConfigExport(options);
    });
}
