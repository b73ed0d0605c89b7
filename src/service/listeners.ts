// The service's listeners: binding a server to a Go-style address, and closing it (at once, or draining in-flight requests).
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { urlHost, type ListenAddress } from './address.js';
import { SHUTDOWN_GRACE_MS } from './constants.js';
import { ServiceError } from './errors.js';

/** Bind `server` to `address` (every interface: dual-stack where IPv6 exists); resolves with the bound address (port 0 → the real one). */
export async function listen(server: Server | HttpsServer, address: ListenAddress): Promise<ListenAddress> {
  const tryListen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(address.port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    if (address.host !== undefined) await tryListen(address.host);
    else {
      await tryListen('::').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL') return tryListen('0.0.0.0');
        throw err;
      });
    }
  } catch (err) {
    throw new ServiceError('LISTEN_FAILED', `cannot listen on ${urlHost(address)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  return address.host === undefined ? { port } : { host: address.host, port };
}

/** Close a side listener (metrics, probes) and cut its connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Close the API listener gracefully: in-flight requests finish (for at most `graceMs`), idle
 * keep-alive connections are dropped as soon as they go idle, new connections are refused.
 */
export function drainServer(server: Server | HttpsServer, graceMs: number = SHUTDOWN_GRACE_MS): Promise<void> {
  const raw = server as Server;
  return new Promise<void>((resolve) => {
    const grace = setTimeout(() => raw.closeAllConnections(), graceMs);
    const sweep = setInterval(() => raw.closeIdleConnections(), 50);
    grace.unref();
    raw.close(() => {
      clearTimeout(grace);
      clearInterval(sweep);
      resolve();
    });
    raw.closeIdleConnections();
  });
}
