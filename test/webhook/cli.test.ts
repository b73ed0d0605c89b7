// `imgverify webhook` flags: bad values and an unreachable cluster end with a clear error and exit 2, never a stack trace.
import { expect, test } from 'vitest';
import { runCli } from '../support/cli.js';

test.each([
  { args: ['--answer-timeout', 'soon'], stderr: 'Error: --answer-timeout takes milliseconds (a positive integer), got "soon" (USAGE)\n', code: 2 },
  { args: ['--kubeconfig', '/nonexistent/kubeconfig'], stderr: 'Error: cannot load the kubeconfig: ', code: 1 },
])('webhook $args', async ({ args, stderr, code }) => {
  const run = await runCli('webhook', ...args, '--metrics-bind-address', '0', '--health-probe-bind-address', '0');
  expect(run.stderr.startsWith(stderr)).toBe(true);
  expect(run.code).toBe(code);
});
