// The imgverify command line: parses flags with commander and hands off to one module per command,
// imported when that command runs (program/ defines the commands without loading them). Nothing here
// loads a domain's libraries: @peculiar/x509 (and the reflect-metadata it needs first, see pki/x509.ts)
// comes with the commands that use certificates.
import { CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, processOutput } from './flags.js';
import { buildProgram } from './program/index.js';

export { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './flags.js';

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
    const { reportError } = await import('./options.js');
    reportError(processOutput, err);
    return EXIT_USAGE;
  }
}
