// The side listeners: Prometheus /metrics and the liveness/readiness probes (/healthz, /readyz), as the peer's ports.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from './constants.js';
import type { Readiness } from './readiness.js';

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** `/healthz` answers while the process serves; `/readyz` while the service can verify (see readiness.ts), with the reason when not and a warning line when ready with a caveat. */
export function createProbeServer(isReady: () => Readiness): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Method Not Allowed\n');
    if (path === LIVENESS_PATH) return text(res, 200, 'ok');
    if (path === READINESS_PATH) {
      const state = isReady();
      if (!state.ready) return text(res, 503, `not ready: ${state.reason}\n`);
      return text(res, 200, state.warning ? `ok\nwarning: ${state.warning}\n` : 'ok');
    }
    return text(res, 404, '404 page not found\n');
  });
}

export function createMetricsServer(registry: Registry): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) return text(res, 404, '404 page not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'Method Not Allowed\n');
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      },
      (err: unknown) => text(res, 500, `cannot collect metrics: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  });
}
