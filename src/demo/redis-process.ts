// Starts a real redis-server (Debian's package) on loopback: for tests and benchmarks of the shared verdict cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>/0` (`rediss://` with TLS; with `:password@` when one is required). */
  url: string;
  /** Kill it at once (SIGKILL), as a crashed or evicted Redis goes. */
  kill(): Promise<void>;
  /** Start it again on the same port (after kill). */
  restart(): Promise<void>;
  /** Freeze (SIGSTOP) and thaw (SIGCONT) it: connections stay open, nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;
const REDIS_BINARY = process.env.IMGVERIFY_REDIS_BIN ?? 'redis-server';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RedisProcessOptions {
  password?: string;
  /** Serve TLS only (rediss://), with these PEM files; clients are not asked for certificates. */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export async function startRedis(options: RedisProcessOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited = true;

  const launch = async () => {
    const listen = options.tls
      ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.certFile, '--tls-key-file', options.tls.keyFile, '--tls-ca-cert-file', options.tls.caFile, '--tls-auth-clients', 'no']
      : ['--port', String(port)];
    const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    let stderr = '';
    const started = spawn(REDIS_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child = started;
    exited = false;
    started.once('exit', () => (exited = true));
    started.once('error', () => (exited = true));
    try {
      await waitFor(async () => {
        if (exited) throw new Error(`redis-server exited: ${stderr}`);
        return listening(port);
      }, START_TIMEOUT_MS, 'redis-server to listen');
    } catch (err) {
      started.kill('SIGKILL');
      throw new Error(`could not start redis-server (install it: apt-get install -y redis-server): ${String(err)}`);
    }
  };
  const kill = async () => {
    if (!child || exited) return;
    const done = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await done;
  };

  await launch();
  const credentials = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${credentials}127.0.0.1:${port}/0`,
    kill,
    restart: launch,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async stop() {
      child?.kill('SIGCONT');
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
