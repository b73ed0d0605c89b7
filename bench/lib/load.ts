// Sequential and sustained HTTP load on a benchmark target: one request at a time (latency of a cold
// verification), and autocannon for a fixed duration (warm latency and throughput).
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { percentile } from './stats.js';

export interface PostResult {
  status: number;
  body: string;
  ms: number;
}

/** A keep-alive client that posts one /checkimages request at a time and times it. */
export class SequentialClient {
  readonly #pool: Pool;

  constructor(url: string) {
    this.#pool = new Pool(url, { connections: 1, keepAliveTimeout: 30_000 });
  }

  async post(body: string): Promise<PostResult> {
    const started = performance.now();
    const res = await this.#pool.request({ method: 'POST', path: '/checkimages', headers: { 'content-type': 'application/json' }, body });
    const text = await res.body.text();
    return { status: res.statusCode, body: text, ms: performance.now() - started };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

export interface LoadOptions {
  url: string;
  /** Default /checkimages. */
  path?: string;
  body: string;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** Latencies of 200 responses, from autocannon's per-response timings (sub-millisecond, not its integer histogram). */
  p50Ms: number;
  p99Ms: number;
  /** 200 responses per second of the run. */
  rps: number;
  responses: number;
  /** Responses other than 200, errors and timeouts: a valid run has none. */
  failures: number;
  responseBytes: number;
}

/** POST `body` to `${url}${path}` (default /checkimages) with autocannon for `durationSeconds` over `connections` keep-alive connections. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let responseBytes = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.url}${options.path ?? '/checkimages'}`,
        method: 'POST',
        body: options.body,
        headers: { 'content-type': 'application/json' },
        connections: options.connections,
        duration: options.durationSeconds,
        timeout: 30,
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          rps: latencies.length / result.duration,
          responses: latencies.length,
          failures: failures + result.errors + result.timeouts,
          responseBytes,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, bytes: number, responseTime: number) => {
      if (statusCode === 200) {
        latencies.push(responseTime);
        responseBytes = bytes;
      } else {
        failures += 1;
      }
    });
  });
}
