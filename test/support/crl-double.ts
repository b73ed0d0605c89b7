// A test double of a CRL distribution point: an in-process HTTP server on loopback serving CRL files by path,
// each of which can be replaced, delayed or made to fail while a test runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttpDouble, type HttpDoubleListenOptions } from './http-double.js';

export interface CrlDoubleOptions extends HttpDoubleListenOptions {
  /** Path (e.g. `/leaf.crl`) → DER bytes. */
  files?: Record<string, Uint8Array>;
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

  const handler = (req: IncomingMessage, res: ServerResponse) => {
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

  const server = await listenHttpDouble(handler, options);
  return {
    url: server.url,
    port: server.port,
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
    stop: server.stop,
  };
}
