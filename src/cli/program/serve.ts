// `imgverify serve`: the command's name and description; its Go-style flags are parsed, and its help is
// printed, by commands/serve.ts, which loads (with the service) only when the command runs.
import type { Command } from 'commander';

export function defineServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the /checkimages extension service for Kyverno (drop-in for kyverno-notation-aws), configured from a folder of TrustPolicy/TrustStore manifests, the local notation configuration (--local), or the cluster.')
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(async (_options: unknown, command: Command) => {
      const { serveAction } = await import('../commands/serve.js');
      await serveAction(command);
    });
}
