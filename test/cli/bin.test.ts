// bin/imgverify.js run as a user runs it: a fresh clone before the build, and a reader that goes away (`| head -1`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstall, runBin, type Install } from '../support/built-cli.js';

describe('bin/imgverify.js', () => {
  let install: Install;
  beforeAll(async () => {
    install = await makeInstall();
  });
  afterAll(async () => {
    await install.remove();
  });

  it('on a fresh clone (no dist/) says what to run instead of an ERR_MODULE_NOT_FOUND trace', async () => {
    const run = await runBin(install, ['--help']);
    expect(run).toEqual({
      code: 2,
      signal: null,
      stdout: '',
      stderr: `Error: imgverify is not built yet: run \`npm install\` in ${install.root} (it builds dist/), or \`npm run build\` after changing the sources\n`,
    });
  });

  describe('built', () => {
    beforeAll(async () => {
      await install.build();
    }, 60_000);

    it('prints help', async () => {
      const run = await runBin(install, ['serve', '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n')[0]?.trimEnd()).toBe('Usage: imgverify serve');
    });

    it.each([['serve --help'], ['--help']])('ends quietly when stdout is closed: %s', async (line) => {
      const args = line.split(' ');
      const run = await runBin(install, args, { closeStdout: true });
      expect(run).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    });
  });
});
