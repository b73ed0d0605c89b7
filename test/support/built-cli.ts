// A throwaway install of the CLI as `npm install` leaves it (bin/, dist/cli/, node_modules), for tests
// that run the real bin/imgverify.js in a child process: dist/cli/ is bundled from src/ by the build's
// own scripts/bundle-cli.js, node_modules is the repository's.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleCli } from '../../scripts/bundle-cli.js';

export const REPOSITORY = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Install {
  root: string;
  /** Build dist/cli/ as `npm run build` does; without it the install is a fresh clone. */
  build(): Promise<void>;
  remove(): Promise<void>;
}

export async function makeInstall(): Promise<Install> {
  const root = await mkdtemp(join(tmpdir(), 'imgverify-install-'));
  await mkdir(join(root, 'bin'));
  await copyFile(join(REPOSITORY, 'bin', 'imgverify.js'), join(root, 'bin', 'imgverify.js'));
  await copyFile(join(REPOSITORY, 'package.json'), join(root, 'package.json'));
  await symlink(join(REPOSITORY, 'node_modules'), join(root, 'node_modules'), 'dir');
  return {
    root,
    build: () => bundleCli(join(root, 'dist', 'cli')),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `node bin/imgverify.js <args>` in `install`; with `closeStdout` the reader of stdout is gone before
 * the program writes (what `| head -1` leaves for every write after the first line, deterministically);
 * with `stopWhen` it gets SIGTERM once its stderr matches (a server that says it is ready).
 */
export function runBin(install: Install, args: string[], options: { closeStdout?: boolean; env?: NodeJS.ProcessEnv; stopWhen?: RegExp } = {}): Promise<ChildRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(install.root, 'bin', 'imgverify.js'), ...args], {
      cwd: install.root,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (options.stopWhen?.test(stderr)) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}
