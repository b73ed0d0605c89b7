// The test registry lives only as long as the process that started it, even one that exits without stop().
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { expect, test } from 'vitest';

const registryModule = fileURLToPath(new URL('../../src/demo/registry-process.ts', import.meta.url));

async function reachable(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`);
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

test('a process that exits without stop() takes its docker-registry with it', async () => {
  // A child that starts a registry, prints its URL and calls process.exit at once (registry-process.ts bundled for plain node).
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-registry-exit-'));
  const entry = join(dir, 'entry.ts');
  await writeFile(entry, `import { startRegistry } from ${JSON.stringify(registryModule)};\nconst r = await startRegistry();\nprocess.stdout.write(r.url + ' ' + r.rootDir + '\\n');\nprocess.exit(0);\n`);
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: join(dir, 'entry.mjs'), logLevel: 'silent' });
  const child = spawn(process.execPath, [join(dir, 'entry.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  const [url = '', rootDir = ''] = out.trim().split(' ');
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // Its storage went with it.
  expect(existsSync(rootDir) || rootDir === '').toBe(false);
  // SIGKILL is delivered at once; give the kernel a moment to close the listening socket.
  let up = true;
  for (let i = 0; i < 50 && up; i++) {
    up = await reachable(url);
    if (up) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(up).toBe(false);
  await rm(dir, { recursive: true, force: true });
}, 30_000);
