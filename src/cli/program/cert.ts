// `imgverify cert …`: its subcommands and flags; the certificate code loads when one runs.
import { Option, type Command } from 'commander';
import { DEFAULT_VALIDITY_DAYS, NOTARY_KEY_TYPES } from '../../notary/types.js';

export function defineCertCommand(program: Command): void {
  const cert = program.command('cert').description('Manage signing certificates');
  cert
    .command('generate-test')
    .description('Generate a test signing key and self-signed certificate (like `notation cert generate-test`)')
    .argument('<name>', 'common name of the certificate, also the key file and trust store name')
    .option('--config-dir <dir>', 'notation configuration directory (default: $NOTATION_DIR or notation\'s user config dir)')
    .addOption(new Option('--key-type <type>', 'key type').choices([...NOTARY_KEY_TYPES]).default('rsa-2048'))
    .option('--validity <days>', 'validity in days', String(DEFAULT_VALIDITY_DAYS))
    .option('--trust', 'add the certificate to the trust store truststore/x509/ca/<name>/', false)
    .action(async (name: string, options) => {
      const { generateTestAction } = await import('../commands/cert.js');
      await generateTestAction(name, options);
    });
}
