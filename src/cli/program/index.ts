// The imgverify program: every command's name, flags and help, and nothing else. Each command's code is
// imported when it runs, so `--help` (and a command's own start-up) loads only what it needs. To stay
// light these modules import domain constants from their runtime-leaf modules (notary/types.ts,
// oci/constants.ts, notary/verifier/constants.ts) instead of the domain's index, which loads its libraries.
import { Command } from 'commander';
import { defineCertCommand } from './cert.js';
import { defineCopyCommand } from './copy.js';
import { defineDemoCommand } from './demo.js';
import { defineDiscoverCommand } from './discover.js';
import { defineInspectCommand } from './inspect.js';
import { defineServeCommand } from './serve.js';
import { defineSignCommand } from './sign.js';
import { defineVerifyCommand } from './verify.js';

export type DefineCommand = (program: Command) => void;

export const commands: DefineCommand[] = [
  defineDiscoverCommand,
  defineInspectCommand,
  defineCopyCommand,
  defineCertCommand,
  defineServeCommand,
  defineSignCommand,
  defineVerifyCommand,
  defineDemoCommand,
];

export function buildProgram(): Command {
  const program = new Command('imgverify')
    .description('Verify Notary Project signatures on OCI images; a drop-in /checkimages service for Kyverno.')
    .showHelpAfterError()
    .exitOverride();
  for (const define of commands) define(program);
  return program;
}
