// Starts a real CNCF distribution registry (Debian's `docker-registry`) on loopback for tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface RegistryServer {
  /** `127.0.0.1:<port>`: use as the registry host of references. */
  host: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  rootDir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Extra YAML appended under `auth:` (e.g. htpasswd or token settings), already indented. */
  authYaml?: string;
}

const REGISTRY_BINARY = process.env.IMGVERIFY_REGISTRY_BIN ?? 'docker-registry';

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const rootDir = await mkdtemp(join(tmpdir(), 'imgverify-registry-'));
  const port = await freePort();
  const debugPort = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(rootDir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  debug:',
    `    addr: 127.0.0.1:${debugPort}`,
    ...(options.authYaml ? ['auth:', options.authYaml] : []),
  ].join('\n');
  const configPath = join(rootDir, 'config.yml');
  await writeFile(configPath, config + '\n');

  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`docker-registry exited: ${stderr}`);
        const res = await fetch(`${url}/v2/`);
        await res.arrayBuffer();
        return res.status === 200 || res.status === 401;
      },
      15_000,
      'docker-registry to listen',
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`could not start docker-registry (install it: apt-get install -y docker-registry): ${String(err)}`);
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    rootDir,
    async stop() {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await done;
      }
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}
