// A TCP delay proxy in front of the registry: every byte crosses it half a round trip late each way, and a new
// connection pays one more round trip (the TCP handshake) before its first byte goes through; it counts connections
// and HTTP/1.1 requests. What a network namespace with `tc netem` would do, where the machine allows none.
//
// It works on bytes, not HTTP (unlike test/support/fault-proxy.ts, which answers or breaks single exchanges): TLS
// and HTTP/2 pass through with their own round trips delayed, and connections live as long as both ends keep them.
import { fork } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A request line of HTTP/1.1 at the start of a chunk or after the end of the previous message. */
const REQUEST_LINE = /(?:^|\r\n)(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) \S+ HTTP\/1\.1\r\n/g;

export interface DelayProxyCounts {
  /** Client connections accepted. */
  connections: number;
  /** HTTP/1.1 requests seen from clients (plain HTTP only: TLS bytes are not read). */
  requests: number;
  /** Requests by path pattern: `referrers` (Referrers API), `manifests`, `blobs`, `other`. */
  byKind: Record<string, number>;
}

/** One event of the timeline: a request line seen from a client, or an upstream chunk's arrival (ms, performance.now). */
export interface DelayProxyEvent {
  at: number;
  connection: number;
  what: string;
}

/** Most timeline events kept (the oldest are dropped). */
const MAX_TIMELINE_EVENTS = 10_000;

function kindOf(line: string): string {
  if (line.includes('/referrers/')) return 'referrers';
  if (line.includes('/manifests/')) return 'manifests';
  if (line.includes('/blobs/')) return 'blobs';
  return 'other';
}

/** Forwards `from` to `to`, each chunk `delayMs` after it arrived, in order. `first` delays the very first chunk more. */
function delayedPipe(from: Socket, to: Socket, delayMs: () => number, firstExtraMs: number, onChunk?: (chunk: Buffer) => void): void {
  let extra = firstExtraMs;
  let last = 0;
  from.on('data', (chunk: Buffer) => {
    onChunk?.(chunk);
    // Never earlier than the chunk before: the network keeps order.
    const due = Math.max(performance.now() + delayMs() + extra, last);
    extra = 0;
    last = due;
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, Math.max(0, due - performance.now()));
  });
  from.on('end', () => {
    setTimeout(() => to.end(), Math.max(0, last - performance.now()));
  });
}

export class DelayProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #rttMs: number;
  readonly counts: DelayProxyCounts = { connections: 0, requests: 0, byKind: {} };
  /** When each request line and each upstream chunk reached the proxy (before the delay), to read a flow's sequence. */
  readonly timeline: DelayProxyEvent[] = [];

  private constructor(server: Server, rttMs: number) {
    this.#server = server;
    this.#rttMs = rttMs;
  }

  /** Listen on a loopback port in front of `upstream` (`host:port`). */
  static async start(upstream: { host: string; port: number }, rttMs: number): Promise<DelayProxy> {
    const route: { to?: DelayProxy } = {};
    const server = createServer((client) => route.to?.accept(client, upstream));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    route.to = new DelayProxy(server, rttMs);
    return route.to;
  }

  /** `127.0.0.1:<port>`: the registry host image references name to go through the proxy. */
  get host(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get rttMs(): number {
    return this.#rttMs;
  }

  set rttMs(value: number) {
    this.#rttMs = value;
  }

  /** A copy of the counts so far. */
  snapshot(): DelayProxyCounts {
    return { connections: this.counts.connections, requests: this.counts.requests, byKind: { ...this.counts.byKind } };
  }

  private note(connection: number, what: string): void {
    if (this.timeline.length >= MAX_TIMELINE_EVENTS) this.timeline.shift();
    this.timeline.push({ at: performance.now(), connection, what });
  }

  private accept(client: Socket, upstream: { host: string; port: number }): void {
    this.counts.connections += 1;
    const connection = this.counts.connections;
    this.note(connection, 'connect');
    const server = connect(upstream.port, upstream.host);
    client.setNoDelay(true);
    server.setNoDelay(true);
    for (const socket of [client, server]) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.once('close', () => server.destroy());
    server.once('close', () => client.destroy());
    const half = () => this.#rttMs / 2;
    delayedPipe(client, server, half, this.#rttMs, (chunk) => {
      for (const match of chunk.toString('latin1').matchAll(REQUEST_LINE)) {
        this.counts.requests += 1;
        this.note(connection, match[0].trim());
        const kind = kindOf(match[0]);
        this.counts.byKind[kind] = (this.counts.byKind[kind] ?? 0) + 1;
      }
    });
    delayedPipe(server, client, half, 0, (chunk) => this.note(connection, `answer ${chunk.length} B`));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

type ProxyCallBody = { type: 'rtt'; rttMs: number } | { type: 'snapshot' } | { type: 'timeline' } | { type: 'close' };
type ProxyCall = ProxyCallBody & { id: number };

/**
 * The proxy in a child process of its own, so the floor's CPU work in the benchmark process never delays
 * the bytes it forwards: the same interface, asynchronous.
 */
export class DelayProxyProcess {
  readonly host: string;
  readonly #call: (call: ProxyCallBody) => Promise<unknown>;

  private constructor(host: string, call: (call: ProxyCallBody) => Promise<unknown>) {
    this.host = host;
    this.#call = call;
  }

  static async start(upstream: { host: string; port: number }, rttMs: number): Promise<DelayProxyProcess> {
    const entry = fileURLToPath(new URL('./delay-proxy-child.js', import.meta.url));
    const child = fork(entry, [JSON.stringify({ upstream, rttMs })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const host = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { host: string }) => resolve(message.host));
      child.once('exit', (code) => reject(new Error(`the delay proxy exited (code ${code}) before it was ready`)));
    });
    const pending = new Map<number, (value: unknown) => void>();
    let next = 1;
    child.on('message', (message: { id?: number; value?: unknown }) => {
      if (message.id === undefined) return;
      pending.get(message.id)?.(message.value);
      pending.delete(message.id);
    });
    return new DelayProxyProcess(host, (call) => {
      const id = next++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        child.send({ ...call, id });
      });
    });
  }

  async setRtt(rttMs: number): Promise<void> {
    await this.#call({ type: 'rtt', rttMs });
  }

  async snapshot(): Promise<DelayProxyCounts> {
    return (await this.#call({ type: 'snapshot' })) as DelayProxyCounts;
  }

  /** The timeline so far (and emptied), see DelayProxy.timeline. */
  async timeline(): Promise<DelayProxyEvent[]> {
    return (await this.#call({ type: 'timeline' })) as DelayProxyEvent[];
  }

  async close(): Promise<void> {
    await this.#call({ type: 'close' });
  }
}

/** The child's side: start the proxy argv[2] describes, answer the parent, exit on close. */
export async function serveDelayProxyChild(): Promise<void> {
  const { upstream, rttMs } = JSON.parse(process.argv[2] ?? '{}') as { upstream: { host: string; port: number }; rttMs: number };
  const proxy = await DelayProxy.start(upstream, rttMs);
  process.on('message', (call: ProxyCall) => {
    const answer = async (): Promise<unknown> => {
      switch (call.type) {
        case 'rtt':
          proxy.rttMs = call.rttMs;
          return undefined;
        case 'snapshot':
          return proxy.snapshot();
        case 'timeline':
          return proxy.timeline.splice(0);
        case 'close':
          await proxy.close();
          return undefined;
      }
    };
    void answer().then((value) =>
      process.send?.({ id: call.id, value }, () => {
        if (call.type === 'close') process.exit(0);
      }),
    );
  });
  process.once('disconnect', () => process.exit(0));
  process.send?.({ host: proxy.host });
}
