// The imgverify command line: parses flags with commander and hands off to one module per command.
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { EXIT_OK, EXIT_USAGE, processOutput, reportError } from './options.js';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './options.js';

export function buildProgram(): Command {
  const program = new Command('imgverify')
    .description('Verify Notary Project signatures on OCI images; a drop-in /checkimages service for Kyverno.')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    // Commands report their own failures; what reaches here escaped one (exit 2, as before).
    reportError(processOutput, err);
    return EXIT_USAGE;
  }
}
