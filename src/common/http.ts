// The one bounded HTTP client: undici keep-alive pools, connect/headers/body timeouts, whole-exchange deadlines,
// bounded redirects (credentials dropped across origins, the address rule of address.ts), bounded retries, bounded bodies.
//
// Its errors are HttpError values with a small code union; they never become verdict codes: each domain maps them
// to its own error (the OCI client to OciError, revocation and timestamp fetches to theirs).
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import type { Agent, buildConnector, Client, Dispatcher, Pool } from 'undici';
import { deadline } from './abort.js';
import { checkLiteralTarget, NON_PUBLIC_ADDRESS_CODE, publicOnlyLookup, type AddressRule, type NonPublicAddressError } from './address.js';
import { BaseError } from './error.js';
import { readLimited } from './read.js';
import { importCommonJs } from './lazy-import.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
export type ResponseBody = Dispatcher.ResponseData['body'];
export type ResponseHeaders = Dispatcher.ResponseData['headers'];

export interface HttpTimeouts {
  /** TCP + TLS connection set-up. */
  connectMs: number;
  /** From request sent to response headers received. */
  headersMs: number;
  /** Longest silence between two body chunks. */
  bodyMs: number;
}

export interface HttpRetryPolicy {
  /** Retries after the first attempt (0 disables). */
  maxRetries: number;
  /** First backoff delay; doubles each retry, plus jitter. */
  baseDelayMs: number;
  /** A delay (Retry-After included) longer than this is not waited for. */
  maxDelayMs: number;
}

export interface HttpClientOptions {
  timeouts: HttpTimeouts;
  retry: HttpRetryPolicy;
  userAgent: string;
  /** Most redirects followed for one request. */
  maxRedirects: number;
  /** Idle keep-alive sockets are closed after this, unless the server's `Keep-Alive: timeout` says otherwise. */
  keepAliveTimeoutMs: number;
  /** The longest idle time a server's `Keep-Alive: timeout` may set (undici keeps a socket until 1 s before the hint). */
  keepAliveMaxTimeoutMs: number;
  connectionsPerOrigin: number;
  /** Offer HTTP/2 to TLS servers (ALPN): one connection then carries every request to the origin. */
  allowH2: boolean;
  /** Statuses after which an idempotent request is retried. */
  retryableStatuses: ReadonlySet<number>;
}

/** Defaults of the client (a domain may pass its own, as the OCI client does from its constants). */
export const DEFAULT_HTTP_CLIENT_OPTIONS: HttpClientOptions = {
  timeouts: { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 },
  retry: { maxRetries: 0, baseDelayMs: 200, maxDelayMs: 10_000 },
  userAgent: 'imgverify',
  maxRedirects: 5,
  keepAliveTimeoutMs: 30_000,
  keepAliveMaxTimeoutMs: 600_000,
  connectionsPerOrigin: 16,
  allowH2: false,
  retryableStatuses: new Set([429, 500, 502, 503, 504]),
};

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Safe to send again: retried on retryable statuses and transient network errors. */
  idempotent: boolean;
  /** Skip TLS certificate verification for `url`'s origin (never carried to another origin). */
  insecure?: boolean;
  /** Describes the request in messages, e.g. `GET manifest ghcr.io/org/app:v1`; never holds secrets. */
  what: string;
  /** Follow 301/302/303/307/308 (default: for GET and HEAD). */
  followRedirects?: boolean;
  /** Addresses `url` may reach (default `any`); see address.ts for the rule. */
  addresses?: AddressRule;
  /** Addresses a redirect to another origin may reach, asked on the first such redirect (default `any`). */
  redirectAddresses?: () => Promise<AddressRule>;
  /** Told the status of every answer, retried and redirected ones included (e.g. to slow down on 429). */
  onResponse?: (status: number) => void;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: ResponseBody;
  /** Final URL after redirects (for resolving relative Link and Location headers). */
  url: URL;
  /** Whether a redirect was followed: the body then comes from wherever the server sent us. */
  redirected: boolean;
}

export type HttpErrorCode =
  /** The caller's signal aborted (its reason is the cause). */
  | 'ABORTED'
  /** Connect, headers or body timeout, or the exchange's deadline. */
  | 'TIMEOUT'
  /** TLS handshake or certificate failure. */
  | 'TLS'
  /** Any other network failure (refused, reset, DNS). */
  | 'NETWORK'
  /** The address rule refused the target (`hostname` names it). */
  | 'NON_PUBLIC_ADDRESS'
  /** A redirect to something other than http(s). */
  | 'REDIRECT_REFUSED'
  | 'TOO_MANY_REDIRECTS'
  /** The server asked to retry later than we wait. */
  | 'RETRY_AFTER_TOO_LONG'
  /** The body is larger than the caller's limit. */
  | 'RESPONSE_TOO_LARGE';

export class HttpError extends BaseError<HttpErrorCode> {
  /** HTTP status of the response that caused the error, when there was one. */
  readonly status?: number;
  /** The refused host of a NON_PUBLIC_ADDRESS error. */
  readonly hostname?: string;
  /** The Content-Length of a RESPONSE_TOO_LARGE answer refused unread (absent when the body outgrew the limit). */
  readonly declaredBytes?: number;

  constructor(code: HttpErrorCode, message: string, options?: { cause?: unknown; status?: number; hostname?: string; declaredBytes?: number }) {
    super(code, message, options);
    if (options?.status !== undefined) this.status = options.status;
    if (options?.hostname !== undefined) this.hostname = options.hostname;
    if (options?.declaredBytes !== undefined) this.declaredBytes = options.declaredBytes;
  }
}

/** Stop reading a body we no longer want; the socket is dropped rather than drained. */
export function abandon(body: ResponseBody): void {
  // undici reports the destruction as an error event; nobody is listening for it any more.
  body.on('error', () => undefined);
  body.destroy();
}

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Network failures that may pass: worth another try for an idempotent request (TLS failures are not). */
const TRANSIENT_CODES = new Set([...TIMEOUT_CODES, 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TLS_CODE = /^ERR_SSL_|^ERR_TLS_|CERT|^DEPTH_ZERO_SELF_SIGNED|^UNABLE_TO_|^EPROTO$/;
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The `code` of a thrown value (a Node errno or undici code), or ''. */
export function causeCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** Classify a failure of one exchange; the caller's abort stays ABORTED with the signal's reason as cause. */
function classify(err: unknown, what: string, signal: AbortSignal | undefined): HttpError {
  if (err instanceof HttpError) return err;
  if (signal?.aborted) return new HttpError('ABORTED', `${what}: cancelled`, { cause: signal.reason });
  const code = causeCode(err);
  if (code === NON_PUBLIC_ADDRESS_CODE) {
    const hostname = (err as NonPublicAddressError).hostname;
    return new HttpError('NON_PUBLIC_ADDRESS', `${what}: ${hostname} is a loopback, link-local or private address`, { cause: err, hostname });
  }
  if (TIMEOUT_CODES.has(code)) return new HttpError('TIMEOUT', `${what}: timed out (${code})`, { cause: err });
  if (TLS_CODE.test(code)) return new HttpError('TLS', `${what}: TLS failed (${code})`, { cause: err });
  const detail = err instanceof Error ? (code ? `${code}: ${err.message}` : err.message) : String(err);
  return new HttpError('NETWORK', `${what}: ${detail}`, { cause: err });
}

type Undici = typeof import('undici');
/** undici loads with the first request, so a command that never goes online (`verify --oci-layout`) does not pay for it. */
let undiciModule: Promise<Undici> | undefined;
/** undici once loaded: later requests take it without awaiting the import again. */
let undiciLoaded: Undici | undefined;
const loadUndici = (): Promise<Undici> =>
  (undiciModule ??= importCommonJs(() => import('undici')).then((undici) => (undiciLoaded = undici)));

/**
 * A pool whose connections that negotiate HTTP/2 (ALPN) carry up to `streams` requests at once. undici's client
 * counts a connection busy at its `pipelining` whatever the protocol (1 unless set: HTTP/1.1's safe value), so a
 * pool would open a connection per request in flight even over h2; this one sets it per connection once ALPN has
 * answered. HTTP/1.1 connections keep 1 (no pipelining).
 */
function multiplexingPool(undici: Undici, origin: string | URL, options: Pool.Options, streams: number): Pool {
  const { Client, Pool } = undici;
  return new Pool(origin, {
    ...options,
    factory: (clientOrigin, clientOptions) => {
      // Pool turns its `connect` options into a connector function before it makes clients.
      const connect = (clientOptions as Client.Options).connect as buildConnector.connector;
      const client: Client = new Client(clientOrigin, {
        ...clientOptions,
        connect: (connectOptions, callback) =>
          connect(connectOptions, (...args) => {
            const [, socket] = args;
            if (socket) client.pipelining = (socket as Partial<TLSSocket>).alpnProtocol === 'h2' ? streams : 1;
            callback(...args);
          }),
      });
      return client;
    },
  });
}

export class HttpClient {
  private readonly options: HttpClientOptions;
  /** Keep-alive pools by TLS verification and address rule (`public` pools connect through publicOnlyLookup). */
  private readonly agents = new Map<string, Agent>();

  constructor(options: Partial<HttpClientOptions> = {}) {
    this.options = { ...DEFAULT_HTTP_CLIENT_OPTIONS, ...options };
  }

  private agent(undici: Undici, insecure: boolean, addresses: AddressRule): Agent {
    const key = `${insecure ? 'insecure' : 'verified'} ${addresses}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const { timeouts } = this.options;
      agent = new undici.Agent({
        connect: {
          timeout: timeouts.connectMs,
          rejectUnauthorized: !insecure,
          ...(addresses === 'public' ? { lookup: publicOnlyLookup } : {}),
        },
        headersTimeout: timeouts.headersMs,
        bodyTimeout: timeouts.bodyMs,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        keepAliveMaxTimeout: this.options.keepAliveMaxTimeoutMs,
        connections: this.options.connectionsPerOrigin,
        allowH2: this.options.allowH2,
        // Over h2 one connection carries as many requests as the pool would open connections.
        ...(this.options.allowH2 ? { factory: (origin: string | URL, options: object) => multiplexingPool(undici, origin, options, this.options.connectionsPerOrigin) } : {}),
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Delay before retry number `attempt` (0-based): exponential backoff with jitter, or the server's Retry-After. */
  private retryDelay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return retryAfterMs;
    const { baseDelayMs } = this.options.retry;
    return baseDelayMs * 2 ** attempt + Math.floor(Math.random() * baseDelayMs);
  }

  private async pause(ms: number, req: HttpRequest): Promise<void> {
    try {
      await sleep(ms, undefined, req.signal ? { signal: req.signal } : undefined);
    } catch (err) {
      throw classify(err, req.what, req.signal);
    }
  }

  /**
   * Send with redirects and retries; the caller consumes or dumps the body (or uses fetchBytes).
   * Across origins a redirect drops the Authorization header and the TLS exemption.
   */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const { retry, maxRedirects, retryableStatuses } = this.options;
    const follow = req.followRedirects ?? (req.method === 'GET' || req.method === 'HEAD');
    let url = req.url;
    let headers: Record<string, string> = { 'user-agent': this.options.userAgent, ...req.headers };
    let insecure = req.insecure ?? false;
    let addresses: AddressRule = req.addresses ?? 'any';
    let redirectRule: AddressRule | undefined;
    let redirects = 0;
    for (let attempt = 0; ; ) {
      let res: Dispatcher.ResponseData;
      try {
        if (addresses === 'public') checkLiteralTarget(url);
        // The agent's own request (origin and path), not undici's top-level request(url): that one costs
        // ~40 µs of CPU more per request (measured on loopback HEADs), a third of a warm image's resolve.
        res = await this.agent(undiciLoaded ?? (await loadUndici()), insecure, addresses).request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          // undici sends `connection: close` with every HEAD (against servers that answer HEAD with a
          // body), so each HEAD would open a new connection; registries answer HEAD correctly.
          ...(req.method === 'HEAD' ? { reset: false } : {}),
          headers,
          body: req.body,
          signal: req.signal,
        });
      } catch (err) {
        const retryable = req.idempotent && TRANSIENT_CODES.has(causeCode(err)) && !req.signal?.aborted;
        if (retryable && attempt < retry.maxRetries) {
          await this.pause(this.retryDelay(attempt, undefined), req);
          attempt += 1;
          continue;
        }
        throw classify(err, req.what, req.signal);
      }
      req.onResponse?.(res.statusCode);
      const location = header(res.headers, 'location');
      if (follow && REDIRECT_STATUSES.has(res.statusCode) && location) {
        await res.body.dump();
        if (++redirects > maxRedirects) throw new HttpError('TOO_MANY_REDIRECTS', `${req.what}: more than ${maxRedirects} redirects`, { status: res.statusCode });
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new HttpError('REDIRECT_REFUSED', `${req.what}: redirected to a ${next.protocol} URL; only http(s) is followed`, { status: res.statusCode });
        }
        if (next.origin !== url.origin && addresses !== 'public') {
          redirectRule ??= req.redirectAddresses ? await req.redirectAddresses() : 'any';
          addresses = redirectRule;
        }
        if (next.origin !== url.origin) {
          // Credentials must not travel to blob storage or anywhere else.
          const { authorization: _dropped, ...rest } = headers;
          headers = rest;
          insecure = false;
        }
        url = next;
        continue;
      }
      if (retryableStatuses.has(res.statusCode) && req.idempotent && attempt < retry.maxRetries) {
        const delay = this.retryDelay(attempt, parseRetryAfter(header(res.headers, 'retry-after')));
        await res.body.dump();
        if (delay > retry.maxDelayMs) {
          throw new HttpError(
            'RETRY_AFTER_TOO_LONG',
            `${req.what}: the server answered ${res.statusCode} and asks to retry after ${Math.ceil(delay / 1000)} s, longer than the ${Math.ceil(retry.maxDelayMs / 1000)} s we wait; try again later`,
            { status: res.statusCode },
          );
        }
        await this.pause(delay, req);
        attempt += 1;
        continue;
      }
      return { status: res.statusCode, headers: res.headers, body: res.body, url, redirected: redirects > 0 };
    }
  }

  /**
   * Send and read the whole body, at most `maxBytes` (a larger Content-Length is refused unread), all
   * within `timeoutMs` when given (a deadline that survives garbage collection, see abort.ts). Any status
   * is returned; the caller decides what a non-2xx means.
   */
  async fetchBytes(req: HttpRequest, limits: { maxBytes: number; timeoutMs?: number }): Promise<Omit<HttpResponse, 'body'> & { bytes: Uint8Array }> {
    const exchange = deadline([req.signal], limits.timeoutMs === undefined ? {} : { timeoutMs: limits.timeoutMs, timeoutMessage: `${req.what}: no answer within ${limits.timeoutMs} ms` });
    const signal = exchange.signal;
    try {
      const res = await this.send({ ...req, signal });
      const tooLarge = (size: number | string): HttpError =>
        new HttpError('RESPONSE_TOO_LARGE', `${req.what}: the answer is ${size} bytes, more than the ${limits.maxBytes} allowed`, {
          status: res.status,
          ...(typeof size === 'number' && { declaredBytes: size }),
        });
      const length = Number(header(res.headers, 'content-length'));
      if (Number.isSafeInteger(length) && length > limits.maxBytes) {
        abandon(res.body);
        throw tooLarge(length);
      }
      const bytes = await readLimited(res.body, limits.maxBytes, (n) => tooLarge(`at least ${n}`), { stop: () => abandon(res.body) });
      return { status: res.status, headers: res.headers, url: res.url, redirected: res.redirected, bytes };
    } catch (err) {
      if (exchange.timedOut) throw new HttpError('TIMEOUT', `${req.what}: no answer within ${limits.timeoutMs} ms`, { cause: err });
      throw err instanceof HttpError ? err : classify(err, req.what, signal);
    } finally {
      exchange.dispose();
    }
  }

  /** Close pooled connections. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }
}
