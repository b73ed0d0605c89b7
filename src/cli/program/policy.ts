// `imgverify apply` and `imgverify test`: Kyverno verifyImages policies on resource files and Kyverno CLI test suites.
import { Option, type Command } from 'commander';
import { addRegistryOptions, collect } from '../flags.js';

/** A mirror on this machine (`ghcr.io=127.0.0.1:5000`) is reached over plain HTTP, as docker does for loopback registries. */
const LOOPBACK_PLAIN_HTTP = { plainHttpForLocalhost: true };

function addPolicyRunOptions(command: Command): Command {
  addRegistryOptions(command);
  return command
    .option('--registry-mirror <from=to>', 'reach registry FROM at TO (e.g. ghcr.io=127.0.0.1:5000); policies, messages and patches keep FROM (repeatable)', collect, [])
    .option('--timeout <seconds>', 'deadline for the whole command, in seconds (default 300)');
}

export function defineApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .description('Apply Kyverno verifyImages policies (ClusterPolicy/Policy, kyverno.io/v1 or v2beta1) to resource files, as `kyverno apply` does')
    .requiredOption('--policy <path>', 'a policy file or a folder of them (repeatable)', collect, [])
    .requiredOption('--resource <path>', 'a resource file or a folder of them (repeatable)', collect, [])
    .option('--subresource <name>', 'evaluate the resources as this subresource (e.g. status, for kinds like tekton.dev/v1beta1/TaskRun.status)')
    .addOption(new Option('-o, --output <format>', 'print the results and the mutated resources as data').choices(['json', 'yaml']));
  addPolicyRunOptions(command).action(async (options) => {
    const { runWithRegistryClient } = await import('../options.js');
    const { runApply } = await import('../commands/apply.js');
    await runWithRegistryClient(options, true, ({ client }) => runApply(options, { client: client as NonNullable<typeof client> }), LOOPBACK_PLAIN_HTTP);
  });
}

export function defineTestCommand(program: Command): void {
  const command = program
    .command('test')
    .description('Run Kyverno CLI test suites (kyverno-test.yaml: policies, resources, expected results, patched resources) found below a folder')
    .argument('<dir>', 'folder searched for test files')
    .option('--file-name <name>', 'test file name', 'kyverno-test.yaml')
    .option('--detailed-results', 'add each result\'s message to the table');
  addPolicyRunOptions(command).action(async (dir: string, options) => {
    const { runWithRegistryClient } = await import('../options.js');
    const { runTest } = await import('../commands/policy-test.js');
    await runWithRegistryClient(options, true, ({ client }) => runTest(dir, options, { client: client as NonNullable<typeof client> }), LOOPBACK_PLAIN_HTTP);
  });
}
