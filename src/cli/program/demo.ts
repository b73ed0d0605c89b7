// `imgverify demo`: its flags; the demo environment loads when the command runs.
import type { Command } from 'commander';

export function defineDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a local docker-registry, push a signed and an unsigned image, run the service and call it as Kyverno does')
    .option('--keep', 'keep the registry and the service running until Ctrl-C')
    .action(async (options: { keep?: boolean }) => {
      const { demoAction } = await import('../commands/demo.js');
      await demoAction(options);
    });
}
