// The API listener: a fastify app on HTTP or HTTPS answering in Go's style, on which route plugins (/checkimages, the admission webhook next) register.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyError } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_READ_HEADER_TIMEOUT_MS, DEFAULT_READ_TIMEOUT_MS, TLS_MIN_VERSION } from './constants.js';
import { sendGoError } from './go-http.js';

/** The server's clocks on slow clients when nothing configures them (serve's flags override them). */
export const DEFAULT_SERVER_TIMEOUTS = { readHeaderMs: DEFAULT_READ_HEADER_TIMEOUT_MS, readMs: DEFAULT_READ_TIMEOUT_MS, idleMs: DEFAULT_IDLE_TIMEOUT_MS } as const;

export interface ApiAppOptions {
  logger: Logger;
  /** Largest request body of any route (a plugin may set a smaller one on its routes). */
  bodyLimit: number;
  /** Serve HTTPS with this pair; plain HTTP without. */
  tls?: { key: string; cert: string };
  /** With `tls`, also a plain HTTP server of the same routes (the peer's :9080 beside :9443). */
  plainHttp?: boolean;
  /** How long a caller may take: to finish its TLS handshake and send its headers, to send its whole request, to stay idle between requests. */
  timeouts: { readHeaderMs: number; readMs: number; idleMs: number };
}

/**
 * How often Node looks for connections past their header or request timeout (its default, 30 s,
 * would let a slowloris client hold a socket 30 s past the limit): a quarter of the header timeout,
 * between 100 ms and 1 s.
 */
function connectionsCheckingInterval(readHeaderMs: number): number {
  return Math.min(1000, Math.max(100, Math.floor(readHeaderMs / 4)));
}

/** The app (register plugins, then `ready()`) and its raw servers (the plain HTTP one only with `plainHttp`), which the caller binds and closes. */
export function createApiApp(options: ApiAppOptions) {
  const created: { server?: HttpServer | HttpsServer; plainServer?: HttpServer } = {};
  const app = Fastify({
    loggerInstance: options.logger,
    // One summary line per request, written by the route, instead of fastify's two per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    // Keep-alive connections of Kyverno stay open; close idle ones at shutdown, let busy ones finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    serverFactory: (handler) => {
      const { readHeaderMs, readMs, idleMs } = options.timeouts;
      // Slow clients (slowloris) lose their connection instead of holding it: headers, then the whole request, each on a clock.
      const limits = { headersTimeout: readHeaderMs, requestTimeout: readMs, keepAliveTimeout: idleMs, connectionsCheckingInterval: connectionsCheckingInterval(readHeaderMs) };
      const server = options.tls
        ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert, minVersion: TLS_MIN_VERSION, handshakeTimeout: readHeaderMs, ...limits }, handler)
        : createHttpServer(limits, handler);
      created.server = server;
      if (options.tls && options.plainHttp) created.plainServer = createHttpServer(limits, handler);
      // fastify types its raw server as http.Server; https.Server serves the same request/response API.
      return server as HttpServer;
    },
  });
  app.setNotFoundHandler((_request, reply) => sendGoError(reply, 404, '404 page not found'));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    return sendGoError(reply, status, status === 500 ? 'internal error; see the service log' : error.message);
  });
  if (!created.server) throw new Error('fastify did not create its server');
  return { app, server: created.server, ...(created.plainServer ? { plainServer: created.plainServer } : {}) };
}
