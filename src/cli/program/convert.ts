// `imgverify convert FILE…`: its arguments; the conversion loads when it runs.
import type { Command } from 'commander';

export function defineConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('Convert Kyverno ClusterPolicy/Policy manifests into imgverify ClusterImageVerificationPolicy/ImageVerificationPolicy (apiVersion and kind only); YAML on stdout')
    .argument('<file...>', 'Kyverno policy manifests (YAML, several documents each; - for stdin)')
    .action(async (files: string[]) => {
      const { runConvert } = await import('../commands/convert.js');
      process.exitCode = await runConvert(files);
    });
}
