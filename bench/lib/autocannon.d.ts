// Types of the part of autocannon (no bundled types) the benchmark uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** Per-connection state that `setupRequest` and `onResponse` share (one request in flight per connection without pipelining). */
  type RequestContext = Record<string, unknown>;

  /** One request of a `requests` cycle; `setupRequest` may rewrite it before each send, `onResponse` sees each answer to it. */
  interface RequestSpec {
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    setupRequest?: (request: RequestSpec, context: RequestContext) => RequestSpec;
    onResponse?: (status: number, body: string, context: RequestContext) => void;
  }

  interface Options {
    url: string;
    requests?: RequestSpec[];
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    /** Requests per second across all connections (default: as fast as the server answers). */
    overallRate?: number;
    /** SNI name for an https URL; `tlsOptions` go to tls.connect (autocannon itself never verifies the certificate). */
    servername?: string;
    tlsOptions?: import('node:tls').ConnectionOptions;
  }

  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }

  interface Result {
    duration: number;
    requests: Histogram;
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  function autocannon(options: Options, callback: (err: Error | null, result: Result) => void): EventEmitter;
  export default autocannon;
  export type { Options, RequestSpec, Result };
}
