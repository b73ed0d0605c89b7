// `imgverify cert …`: its subcommands and flags (notation's); the certificate code loads when one runs.
import { Option, type Command } from 'commander';
import { DEFAULT_VALIDITY_DAYS, NOTARY_KEY_TYPES } from '../../notary/types.js';

const CONFIG_DIR_HELP = "notation configuration directory (default: $NOTATION_CONFIG, $NOTATION_DIR, else notation's user config dir)";
const TYPE_HELP = 'specify trust store type, options: ca, signingAuthority, tsa';

export function defineCertCommand(program: Command): void {
  const cert = program.command('cert').description('Manage certificates in the trust store (notation config dir layout)');
  cert
    .command('generate-test')
    .description('Generate a test signing key and self-signed certificate, listed in signingkeys.json (like `notation cert generate-test`)')
    .argument('<name>', 'common name of the certificate, also the key file, key list and trust store name')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .addOption(new Option('--key-type <type>', 'key type').choices([...NOTARY_KEY_TYPES]).default('rsa-2048'))
    .option('--validity <days>', 'validity in days', String(DEFAULT_VALIDITY_DAYS))
    .option('--trust', 'add the certificate to the trust store truststore/x509/ca/<name>/', false)
    .option('--default', 'mark as default signing key')
    .action(async (name: string, options) => {
      const { generateTestAction } = await import('../commands/cert.js');
      await generateTestAction(name, options);
    });
  cert
    .command('add')
    .description('Add certificates to the trust store')
    .argument('<cert_path...>', 'certificate files (PEM or DER)')
    .requiredOption('-t, --type <type>', TYPE_HELP)
    .requiredOption('-s, --store <name>', 'specify named store')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (paths: string[], options) => {
      const { runCertAdd } = await import('../commands/truststore.js');
      process.exitCode = await runCertAdd(paths, options);
    });
  cert
    .command('list')
    .alias('ls')
    .description('List certificates in the trust store')
    .option('-t, --type <type>', TYPE_HELP)
    .option('-s, --store <name>', 'specify named store')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (options) => {
      const { runCertList } = await import('../commands/truststore.js');
      process.exitCode = await runCertList(options);
    });
  cert
    .command('show')
    .description('Show certificate details given trust store type, named store, and certificate file name')
    .argument('<cert_fileName>', 'certificate file name in the store')
    .requiredOption('-t, --type <type>', TYPE_HELP)
    .requiredOption('-s, --store <name>', 'specify named store')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (file: string, options) => {
      const { runCertShow } = await import('../commands/truststore.js');
      process.exitCode = await runCertShow(file, options);
    });
  cert
    .command('delete')
    .description('Delete certificates from the trust store')
    .argument('[cert_fileName]', 'certificate file name in the store (or --all)')
    .requiredOption('-t, --type <type>', TYPE_HELP)
    .requiredOption('-s, --store <name>', 'specify named store')
    .option('-a, --all', 'delete all certificates in the named store')
    .option('-y, --yes', 'do not prompt for confirmation')
    .option('--config-dir <dir>', CONFIG_DIR_HELP)
    .action(async (file: string | undefined, options) => {
      const { runCertDelete } = await import('../commands/truststore.js');
      process.exitCode = await runCertDelete(file, options);
    });
}
