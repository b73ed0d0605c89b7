// `imgverify demo`: runs the self-contained demo of the README (registry, images, service, Kyverno requests).
import { runDemo } from '../../demo/index.js';

export async function demoAction(options: { keep?: boolean }): Promise<void> {
  const untilClosed = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const outcome = await runDemo({ keep: options.keep ?? false, untilClosed, write: (line) => process.stdout.write(line + '\n') });
  process.exitCode = outcome.ok ? 0 : 1;
}
