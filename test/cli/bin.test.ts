// bin/imgverify.js run as a user runs it: a fresh clone before the build, and a reader that goes away (`| head -1`).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstall, REPOSITORY, runBin, type Install } from '../support/built-cli.js';

/** Prints each package a run imports (`PACKAGE <name>` on stderr). */
const PACKAGE_TRACE = join(REPOSITORY, 'test', 'support', 'package-trace', 'register.mjs');

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

    it.each([
      ['--help', ['commander', 'reflect-metadata']],
      ['verify --help', ['commander', 'reflect-metadata']],
    ])('%s loads only the packages it needs', async (line, expected) => {
      const run = await runBin(install, line.split(' '), { env: { NODE_OPTIONS: `--import=${PACKAGE_TRACE}` } });
      const loaded = run.stderr.split('\n').filter((l) => l.startsWith('PACKAGE ')).map((l) => l.slice('PACKAGE '.length));
      expect(run.code).toBe(0);
      expect(loaded.sort()).toEqual(expected);
    });

    it.each([['serve --help'], ['--help']])('ends quietly when stdout is closed: %s', async (line) => {
      const args = line.split(' ');
      const run = await runBin(install, args, { closeStdout: true });
      expect(run).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    });
  });
});
