// Loopback HTTP scaffolding the test doubles share: listen on one or more loopback addresses, read bounded request bodies, stop.
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpDoubleListenOptions {
  /** Fixed port (upstream certificates name e.g. localhost:10086); random when absent. */
  port?: number;
  /**
   * Addresses to listen on (default 127.0.0.1). Upstream URLs say `localhost`, which may resolve to ::1 first, so
   * doubles serving them listen on both loopback addresses.
   */
  hosts?: string[];
}

export interface HttpDoubleServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Drop open connections and close every listener. */
  stop(): Promise<void>;
}

/** Serve `handler` on each of `hosts` with one port. */
export async function listenHttpDouble(handler: RequestListener, options: HttpDoubleListenOptions = {}): Promise<HttpDoubleServer> {
  const servers: Server[] = [];
  let port = options.port ?? 0;
  for (const host of options.hosts ?? ['127.0.0.1']) {
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

/** The whole request body; more than `maxBytes` rejects with "request too large". */
export async function readRequestBody(request: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw new Error('request too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
