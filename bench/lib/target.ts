// The HTTP servers the benchmark measures — imgverify serve (cache on or off) and a bare fastify handler —
// each in a child process of its own (as deployed), or inline in this process (the smoke test).
import { fork, type ChildProcess } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { Pool } from 'undici';
import { startService } from '../../src/service/index.js';
import { mapConcurrent } from './fixtures.js';

export type TargetSpec =
  | { kind: 'service'; configDir: string; cacheEnabled: boolean; cacheMaxSize?: number; cacheBackend?: string }
  /**
   * Answers POST /checkimages with a fixed body (application/json), reading and ignoring the request
   * body; with `registryUrl`, it first resolves the configured tags with HEAD requests (see BareAnswer).
   */
  | { kind: 'bare'; registryUrl?: string; concurrency?: number };

/** What the bare handler does per request: resolve these `repository:tag`s (keep-alive HEADs), then answer `body`. */
export interface BareAnswer {
  body: string;
  resolve?: { repository: string; tag: string }[];
}

/** Keep-alive connections of the bare handler's registry pool (as the service's registry client). */
const BARE_REGISTRY_CONNECTIONS = 16;
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json';

/** Counts of what a target did, for the report. */
export interface TargetStats {
  /** Registry operations of the service by kind (resolve, referrers, fetchManifest, fetchBlob); empty for bare. */
  registryOperations: Record<string, number>;
  /** Verifications the service ran (cache misses that reached the verifier); 0 for bare. */
  verifications: number;
  /** Shared cache (--cacheBackend) commands that failed or timed out; 0 for bare. */
  cacheBackendErrors: number;
  /** HTTP connections the process opened through undici (to the registry). */
  connectionsOpened: number;
  /** CPU time (user + system) the process has used so far. */
  cpuMs: number;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /** Verdicts in the service's cache (0 for the bare server). */
  cacheSize: number;
}

export interface Target {
  url: string;
  /** Memory after a full garbage collection (when the process exposes gc). */
  memory(): Promise<MemoryReading>;
  stats(): Promise<TargetStats>;
  /** Bare server only: what it does per request from now on. */
  configure(answer: BareAnswer): Promise<void>;
  close(): Promise<void>;
}

/** Start the server of `spec` in this process. */
export async function startInlineTarget(spec: TargetSpec): Promise<Target> {
  let memoryOf: () => number = () => 0;
  let operations: () => Promise<Record<string, number>> = async () => ({});
  let verifications: () => Promise<number> = async () => 0;
  let cacheBackendErrors: () => Promise<number> = async () => 0;
  let configure: (answer: BareAnswer) => void = () => undefined;
  let connectionsOpened = 0;
  const onConnected = (): void => {
    connectionsOpened += 1;
  };
  subscribe('undici:client:connected', onConnected);
  let url: string;
  let close: () => Promise<void>;
  if (spec.kind === 'service') {
    const service = await startService({
      config: { dir: spec.configDir },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      auth: { reviewKyvernoToken: false },
      cache: {
        enabled: spec.cacheEnabled,
        ...(spec.cacheMaxSize !== undefined ? { maxSize: spec.cacheMaxSize } : {}),
        ...(spec.cacheBackend !== undefined ? { backend: spec.cacheBackend } : {}),
      },
      logLevel: 'silent',
    });
    url = service.url;
    close = () => service.close();
    memoryOf = () => service.cache.size;
    operations = async () => {
      const counts: Record<string, number> = {};
      for (const { labels, value } of (await service.metrics.registryRequests.get()).values) {
        const operation = String(labels.operation);
        counts[operation] = (counts[operation] ?? 0) + value;
      }
      return counts;
    };
    verifications = async () =>
      (await service.metrics.verificationDuration.get()).values.filter((v) => v.metricName?.endsWith('_count')).reduce((total, v) => total + v.value, 0);
    cacheBackendErrors = async () => (await service.metrics.cacheBackendErrors.get()).values.reduce((total, v) => total + v.value, 0);
  } else {
    let answer: BareAnswer = { body: '{}' };
    configure = (next) => {
      answer = next;
    };
    const pool = spec.registryUrl ? new Pool(spec.registryUrl, { connections: BARE_REGISTRY_CONNECTIONS, keepAliveTimeout: 30_000 }) : undefined;
    const concurrency = spec.concurrency ?? 1;
    const head = async (repository: string, tag: string): Promise<void> => {
      if (!pool) throw new Error('the bare handler has no registry to resolve against');
      // reset: false keeps the connection open after HEAD (undici closes it by default).
      const res = await pool.request({ method: 'HEAD', reset: false, path: `/v2/${repository}/manifests/${tag}`, headers: { accept: MANIFEST_ACCEPT } });
      await res.body.dump();
      if (res.statusCode !== 200 || !res.headers['docker-content-digest']) throw new Error(`HEAD ${repository}:${tag}: HTTP ${res.statusCode}`);
    };
    const app = Fastify({ logger: false });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, payload, done) => done(null, payload));
    app.post('/checkimages', async (_request, reply) => {
      const { body, resolve } = answer;
      if (resolve) await mapConcurrent(resolve.length, concurrency, (index) => head(resolve[index]?.repository ?? '', resolve[index]?.tag ?? ''));
      return reply.code(200).header('content-type', 'application/json').send(body);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    url = `http://127.0.0.1:${port}`;
    close = async () => {
      await app.close();
      await pool?.close();
    };
  }
  return {
    url,
    async memory() {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const usage = process.memoryUsage();
      return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external, cacheSize: memoryOf() };
    },
    stats: async () => {
      // Read first: the metrics below are the benchmark's questions, not the service's work per request.
      const cpu = cpuMs();
      return { registryOperations: await operations(), verifications: await verifications(), cacheBackendErrors: await cacheBackendErrors(), connectionsOpened, cpuMs: cpu };
    },
    async configure(answer) {
      configure(answer);
    },
    async close() {
      unsubscribe('undici:client:connected', onConnected);
      await close();
    },
  };
}

type Call = { type: 'memory' | 'stats' | 'close' } | { type: 'configure'; answer: BareAnswer };
type Request = Call & { id: number };
type Reply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; message: string };

/** How long a child may take to start its server or to answer. */
const CHILD_TIMEOUT_MS = 60_000;

/** Start the server of `spec` in a child process (node `execArgv`: --expose-gc plus `nodeOptions`). */
export async function startChildTarget(spec: TargetSpec, nodeOptions: readonly string[] = []): Promise<Target> {
  const entry = fileURLToPath(new URL('./target-child.js', import.meta.url));
  const child: ChildProcess = fork(entry, [JSON.stringify(spec)], { execArgv: ['--expose-gc', ...nodeOptions], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the benchmark target did not start in time')), CHILD_TIMEOUT_MS);
    child.once('message', (message: { url?: string; error?: string }) => {
      clearTimeout(timer);
      if (message.url) resolve(message.url);
      else reject(new Error(`the benchmark target failed to start: ${message.error ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the benchmark target exited (code ${code}) before it was ready`));
    });
  });
  child.on('message', (message: Reply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(message.message));
  });
  child.once('exit', () => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error('the benchmark target exited'));
    pending.clear();
  });
  const call = (request: Call): Promise<unknown> => {
    if (exited) return Promise.reject(new Error('the benchmark target has exited'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  };
  return {
    url,
    memory: async () => (await call({ type: 'memory' })) as MemoryReading,
    stats: async () => (await call({ type: 'stats' })) as TargetStats,
    configure: async (answer) => {
      await call({ type: 'configure', answer });
    },
    close: async () => {
      if (!exited) await call({ type: 'close' }).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** The child's side: start the target named by argv[2], answer the parent's requests, exit on close. */
export async function serveChild(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as TargetSpec;
  let target: Target;
  try {
    target = await startInlineTarget(spec);
  } catch (err) {
    process.send?.({ error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  process.on('message', (request: Request) => {
    const answer = async (): Promise<unknown> => {
      switch (request.type) {
        case 'memory':
          return target.memory();
        case 'stats':
          return target.stats();
        case 'configure':
          return target.configure(request.answer);
        case 'close':
          await target.close();
          return undefined;
      }
    };
    answer().then(
      (value) => {
        process.send?.({ id: request.id, ok: true, value } satisfies Reply, () => {
          if (request.type !== 'close') return;
          process.disconnect();
          // Anything left holding the loop open must not keep the child alive (a --cpu-prof profile is still written).
          setTimeout(() => process.exit(0), 2000).unref();
        });
      },
      (err: unknown) => process.send?.({ id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) } satisfies Reply),
    );
  });
  // A parent that died without closing us must not leave the server running.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 100));
  process.send?.({ url: target.url });
}
