// A test double of a CRL distribution point: an in-process HTTP server on loopback serving CRL files by path,
// each of which can be replaced, delayed or made to fail while a test runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CrlDoubleOptions {
  /** Path (e.g. `/leaf.crl`) → DER bytes. */
  files?: Record<string, Uint8Array>;
  /** Fixed port (the upstream e2e certificates name localhost:10086); random when absent. */
  port?: number;
  /**
   * Addresses to listen on (default 127.0.0.1). Upstream URLs say `localhost`, which may resolve to ::1 first, so
   * tests serving them listen on both loopback addresses.
   */
  hosts?: string[];
}

export interface CrlDouble {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  set(path: string, der: Uint8Array | undefined): void;
  /** Delay answers on `path` by `ms` (0 to stop). */
  delay(path: string, ms: number): void;
  /** Answer `path` with this HTTP status instead of the file (undefined to stop). */
  fail(path: string, status: number | undefined): void;
  /** How many times `path` was requested. */
  hits(path: string): number;
  stop(): Promise<void>;
}

export async function startCrlDouble(options: CrlDoubleOptions = {}): Promise<CrlDouble> {
  const files = new Map(Object.entries(options.files ?? {}));
  const delays = new Map<string, number>();
  const failures = new Map<string, number>();
  const hits = new Map<string, number>();

  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const requested = new URL(req.url ?? '/', 'http://double');
    // Query strings are part of some CRL URLs (EJBCA's `?cmd=crl&issuer=...`): match them first, then the path.
    const path = requested.pathname + requested.search;
    const key = files.has(path) || failures.has(path) || delays.has(path) ? path : requested.pathname;
    hits.set(key, (hits.get(key) ?? 0) + 1);
    const wait = delays.get(key) ?? 0;
    setTimeout(() => {
      const status = failures.get(key);
      if (status !== undefined) {
        res.writeHead(status).end();
        return;
      }
      const body = files.get(key);
      if (!body) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/pkix-crl', 'content-length': body.byteLength }).end(body);
    }, wait);
  };

  const hosts = options.hosts ?? ['127.0.0.1'];
  const servers: Server[] = [];
  let port = options.port ?? 0;
  for (const host of hosts) {
    const server = createServer(handler);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
      });
    } catch (err) {
      // An address family the machine lacks (e.g. no ::1) is skipped; the first address must work.
      if (servers.length === 0) throw err;
      continue;
    }
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set(path, der) {
      if (der) files.set(path, der);
      else files.delete(path);
    },
    delay(path, ms) {
      delays.set(path, ms);
    },
    fail(path, status) {
      if (status === undefined) failures.delete(path);
      else failures.set(path, status);
    },
    hits(path) {
      return hits.get(path) ?? 0;
    },
    async stop() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
