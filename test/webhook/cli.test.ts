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

test('--kubeconfig without a path reads $KUBECONFIG (the meaning --local had; webhook has no --local any more)', async () => {
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = '/nonexistent/from-env';
  try {
    const run = await runCli('webhook', '--kubeconfig', '--metrics-bind-address', '0', '--health-probe-bind-address', '0');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Error: cannot load the kubeconfig: .*\/nonexistent\/from-env/);
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
  const local = await runCli('webhook', '--local');
  expect(local.code).toBe(2);
  expect(local.stderr.split('\n')[0]).toBe("error: unknown option '--local'");
});
