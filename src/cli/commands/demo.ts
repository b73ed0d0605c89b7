// `imgverify demo`: runs the self-contained demo of the README (registry, images, service, Kyverno requests).
import type { Command } from 'commander';
import { runDemo } from '../../demo/index.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('start a local docker-registry, push a signed and an unsigned image, run the service and call it as Kyverno does')
    .option('--keep', 'keep the registry and the service running until Ctrl-C')
    .action(async (options: { keep?: boolean }) => {
      const untilClosed = new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      const outcome = await runDemo({ keep: options.keep ?? false, untilClosed, write: (line) => process.stdout.write(line + '\n') });
      process.exitCode = outcome.ok ? 0 : 1;
    });
}
