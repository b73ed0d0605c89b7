// A TCP delay proxy in front of the registry: every byte crosses it half a round trip late each way, and a new
// connection pays one more round trip (the TCP handshake) before its first byte goes through; it counts connections
// and HTTP/1.1 requests. What a network namespace with `tc netem` would do, where the machine allows none.
//
// It works on bytes, not HTTP (unlike test/support/fault-proxy.ts, which answers or breaks single exchanges): TLS
// and HTTP/2 pass through with their own round trips delayed, and connections live as long as both ends keep them.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

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

  private accept(client: Socket, upstream: { host: string; port: number }): void {
    this.counts.connections += 1;
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
        const kind = kindOf(match[0]);
        this.counts.byKind[kind] = (this.counts.byKind[kind] ?? 0) + 1;
      }
    });
    delayedPipe(server, client, half, 0);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
