// bin/imgverify.js run as a user runs it: a fresh clone before the build, and a reader that goes away (`| head -1`).
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeInstall, REPOSITORY, runBin, type Install } from '../support/built-cli.js';

/** Most bytes of code `--help` may load: the entry (commander and the command definitions) and its small chunks. */
const MAX_HELP_BYTES = 256 * 1024;
/** Prints each file a run imports (`MODULE <path>` on stderr). */
const MODULE_TRACE = join(REPOSITORY, 'test', 'support', 'module-trace', 'register.mjs');

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

    // Chunk names are content hashes, so the bound is on bytes: the whole bundle is about 6 MB, and
    // before commands were loaded lazily --help loaded every command's code and libraries.
    it.each([['--help'], ['verify --help']])('%s loads the bundle entry and small shared chunks only', async (line) => {
      const run = await runBin(install, line.split(' '), { env: { NODE_OPTIONS: `--import=${MODULE_TRACE}` } });
      const loaded = run.stderr
        .split('\n')
        .filter((l) => l.startsWith('MODULE '))
        .map((l) => l.slice('MODULE '.length));
      expect(run.code).toBe(0);
      expect(loaded.map((path) => relative(install.root, path)).filter((path) => !path.startsWith('dist/cli/'))).toEqual(['bin/imgverify.js']);
      const bytes = (await Promise.all(loaded.map((path) => stat(path)))).reduce((total, info) => total + info.size, 0);
      expect(bytes).toBeLessThan(MAX_HELP_BYTES);
    });

    it.each([['serve --help'], ['--help']])('ends quietly when stdout is closed: %s', async (line) => {
      const args = line.split(' ');
      const run = await runBin(install, args, { closeStdout: true });
      expect(run).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
    });
  });
});
