// The side listeners: Prometheus /metrics and the liveness/readiness probes (/healthz, /readyz), as the peer's ports.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { urlHost, type ListenAddress } from './address.js';
import { LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from './constants.js';
import { closeServer, listen } from './listeners.js';
import type { Readiness } from './readiness.js';
import type { Teardown } from './teardown.js';

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

export interface SideListeners {
  metrics?: { address: ListenAddress; registry: Registry };
  health?: { address: ListenAddress; isReady: () => Readiness };
}

/**
 * Bind the side listeners asked for; `teardown` closes them, the probes last (they answer "not
 * ready" while the API drains). Resolves with `http://host:port/metrics` and `http://host:port`.
 */
export async function listenSideServers(teardown: Teardown, listeners: SideListeners): Promise<{ metricsUrl?: string; healthUrl?: string }> {
  const urls: { metricsUrl?: string; healthUrl?: string } = {};
  if (listeners.metrics) {
    const server = createMetricsServer(listeners.metrics.registry);
    const address = await listen(server, listeners.metrics.address);
    teardown.add(() => closeServer(server));
    urls.metricsUrl = `http://${urlHost(address)}${METRICS_PATH}`;
  }
  if (listeners.health) {
    const server = createProbeServer(listeners.health.isReady);
    const address = await listen(server, listeners.health.address);
    teardown.addLast(() => closeServer(server));
    urls.healthUrl = `http://${urlHost(address)}`;
  }
  return urls;
}
