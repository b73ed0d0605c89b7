// The imgverify program: every command's name, flags and help, and nothing else. Each command's code is
// imported when it runs, so `--help` (and a command's own start-up) loads only what it needs. To stay
// light these modules import domain constants from their runtime-leaf modules (notary/types.ts,
// oci/constants.ts, notary/verifier/constants.ts) instead of the domain's index, which loads its libraries.
import { Command } from 'commander';
import { addLogOptions } from '../flags.js';
import { VERSION, versionText } from '../version.js';
import { defineAttestCommand } from './attest.js';
import { defineCertCommand } from './cert.js';
import { defineConditionsCommand, defineJpCommand } from './conditions.js';
import { defineConvertCommand } from './convert.js';
import { defineConfigCommand } from './config.js';
import { defineCopyCommand } from './copy.js';
import { defineCosignCommand } from './cosign.js';
import { defineDemoCommand } from './demo.js';
import { defineDiscoverCommand } from './discover.js';
import { defineInspectCommand } from './inspect.js';
import { defineApplyCommand, defineTestCommand } from './policy.js';
import { defineLoginCommands } from './login.js';
import { defineManifestCommand } from './manifest.js';
import { defineServeCommand } from './serve.js';
import { defineSignCommand } from './sign.js';
import { defineSigstoreCommand } from './sigstore.js';
import { defineTrustPolicyCommand } from './trust-policy.js';
import { defineVerifyCommand } from './verify.js';
import { defineWebhookCommand } from './webhook.js';

export type DefineCommand = (program: Command) => void;

export const commands: DefineCommand[] = [
  defineDiscoverCommand,
  defineInspectCommand,
  defineManifestCommand,
  defineCopyCommand,
  defineCertCommand,
  defineTrustPolicyCommand,
  defineLoginCommands,
  defineServeCommand,
  defineConfigCommand,
  defineSignCommand,
  defineVerifyCommand,
  defineAttestCommand,
  defineDemoCommand,
  defineConditionsCommand,
  defineJpCommand,
  defineApplyCommand,
  defineTestCommand,
  defineConvertCommand,
  defineCosignCommand,
  defineSigstoreCommand,
  defineWebhookCommand,
];

export function buildProgram(): Command {
  const program = new Command('imgverify')
    .description('Verify Notary Project signatures on OCI images; a drop-in /checkimages service for Kyverno.')
    .showHelpAfterError()
    .exitOverride();
  for (const define of commands) define(program);
  program
    .command('version')
    .description('Show the imgverify version information')
    .action(() => void process.stdout.write(versionText()));
  program.version(VERSION, '--version', 'output the version number');
  // notation has -d/-v on every command; serve parses kyverno-notation-aws's Go flags (its own --debug).
  const withLeaves = (command: Command): Command[] => (command.commands.length === 0 ? [command] : command.commands.flatMap(withLeaves));
  for (const command of program.commands.flatMap(withLeaves)) if (command.name() !== 'serve') addLogOptions(command);
  return program;
}
