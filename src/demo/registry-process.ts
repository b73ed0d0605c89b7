// Starts a real CNCF distribution registry (Debian's `docker-registry`) on loopback: for the demo, benchmarks and tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface RegistryServer {
  /** `<address>:<port>` (127.0.0.1 by default): use as the registry host of references. */
  host: string;
  /** `http://127.0.0.1:<port>` (`https://…` with `tls`) */
  url: string;
  rootDir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Extra YAML appended under `auth:` (e.g. htpasswd or token settings), already indented. */
  authYaml?: string;
  /** Serve HTTPS with this PEM certificate and key (files the caller wrote). */
  tls?: { certificatePath: string; keyPath: string };
  /** The IPv4 address to listen on (default 127.0.0.1); tests of TLS-only rules use a non-loopback one. */
  address?: string;
}

/** How long the registry may take to listen; generous because suites start several at once on 2 cores. */
const START_TIMEOUT_MS = 30_000;

const REGISTRY_BINARY = process.env.IMGVERIFY_REGISTRY_BIN ?? 'docker-registry';

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryServer> {
  const rootDir = await mkdtemp(join(tmpdir(), 'imgverify-registry-'));
  const address = options.address ?? '127.0.0.1';
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
    `  addr: ${address}:${port}`,
    ...(options.tls ? ['  tls:', `    certificate: ${options.tls.certificatePath}`, `    key: ${options.tls.keyPath}`] : []),
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
  // A caller that exits without stop() (process.exit, an uncaught error) must not leave the registry running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
    rmSync(rootDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  });
  const url = `${options.tls ? 'https' : 'http'}://${address}:${port}`;
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`docker-registry exited: ${stderr}`);
        // A TLS registry has a test certificate: being able to connect is enough.
        if (options.tls) return new Promise<boolean>((resolve) => {
          const socket = connect(port, address, () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
        const res = await fetch(`${url}/v2/`);
        await res.arrayBuffer();
        return res.status === 200 || res.status === 401;
      },
      START_TIMEOUT_MS,
      'docker-registry to listen',
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`could not start docker-registry (install it: apt-get install -y docker-registry): ${String(err)}`);
  }
  return {
    host: `${address}:${port}`,
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
