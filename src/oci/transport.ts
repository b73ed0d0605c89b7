// HTTP transport for registries: undici keep-alive agents, timeouts, redirects and bounded retries.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CONNECTIONS_PER_ORIGIN,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  MAX_REDIRECTS,
  RETRYABLE_STATUSES,
} from './constants.js';
import { checkLiteralTarget, NON_PUBLIC_ADDRESS_CODE, publicOnlyLookup, type AddressRule } from './address.js';
import { OciError } from './errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
export type ResponseBody = Dispatcher.ResponseData['body'];
export type ResponseHeaders = Dispatcher.ResponseData['headers'];

export interface Timeouts {
  /** TCP + TLS connection set-up. */
  connectMs: number;
  /** From request sent to response headers received. */
  headersMs: number;
  /** Longest silence between two body chunks. */
  bodyMs: number;
}

export interface RetryPolicy {
  /** Retries after the first attempt (0 disables). */
  maxRetries: number;
  /** First backoff delay; doubles each retry, plus jitter. */
  baseDelayMs: number;
  /** A delay (Retry-After included) longer than this is not waited for. */
  maxDelayMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  connectMs: DEFAULT_CONNECT_TIMEOUT_MS,
  headersMs: DEFAULT_HEADERS_TIMEOUT_MS,
  bodyMs: DEFAULT_BODY_TIMEOUT_MS,
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: DEFAULT_MAX_RETRIES,
  baseDelayMs: DEFAULT_RETRY_BASE_DELAY_MS,
  maxDelayMs: DEFAULT_MAX_RETRY_DELAY_MS,
};

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignal;
  /** Safe to send again: retried on 429/5xx and network errors. */
  idempotent: boolean;
  /** Skip TLS certificate verification for this request's origin. */
  insecure: boolean;
  /** Describes the request in messages, e.g. `GET manifest ghcr.io/org/app:v1`; never holds secrets. */
  what: string;
  /** Addresses `url` may reach (default `any`); see address.ts for the rule. */
  addresses?: AddressRule;
  /** Addresses a redirect to another origin may reach, asked on the first such redirect (default `any`). */
  redirectAddresses?: () => Promise<AddressRule>;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: ResponseBody;
  /** Final URL after redirects (for resolving relative Link and Location headers). */
  url: URL;
  /** Whether a redirect was followed: the body then comes from wherever the registry sent us. */
  redirected: boolean;
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

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** Network failures that may pass: worth another try for an idempotent request (TLS failures are not). */
const TRANSIENT_CODES = new Set([...TIMEOUT_CODES, 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function causeCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/** Turn a network-level failure into an OciError; the caller's abort stays ABORTED (or TIMEOUT for AbortSignal.timeout). */
export function networkError(err: unknown, what: string, signal?: AbortSignal): OciError {
  if (err instanceof OciError) return err;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
    return new OciError(timedOut ? 'TIMEOUT' : 'ABORTED', `${what}: ${timedOut ? 'timed out' : 'cancelled'}`, { cause: reason });
  }
  const code = causeCode(err);
  if (code === NON_PUBLIC_ADDRESS_CODE) {
    return new OciError(
      'REGISTRY_ERROR',
      `${what}: refused to follow the registry to ${err instanceof Error ? err.message : 'a non-public address'}; a registry on a public address may only send us to public addresses`,
      { cause: err },
    );
  }
  if (TIMEOUT_CODES.has(code)) {
    return new OciError('TIMEOUT', `${what}: ${code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for the response' : 'reading the response'} timed out; the registry is slow or unreachable`, { cause: err });
  }
  if (/^ERR_SSL_|^ERR_TLS_|CERT|^DEPTH_ZERO_SELF_SIGNED|^UNABLE_TO_|^EPROTO$/.test(code)) {
    return new OciError(
      'REGISTRY_UNAVAILABLE',
      `${what}: TLS failed (${code}); for a plain-HTTP registry use --plain-http, for a self-signed certificate --insecure`,
      { cause: err },
    );
  }
  const detail = err instanceof Error ? (code ? `${code}: ${err.message}` : err.message) : String(err);
  return new OciError('REGISTRY_UNAVAILABLE', `${what}: ${detail}; check the registry address and that it is up`, { cause: err });
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delay before retry number `attempt` (0-based): exponential backoff with jitter, or the server's Retry-After. */
function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return policy.baseDelayMs * 2 ** attempt + Math.floor(random() * policy.baseDelayMs);
}

export class HttpTransport {
  private readonly timeouts: Timeouts;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;
  /** Keep-alive pools by TLS verification and address rule (`public` pools connect through publicOnlyLookup). */
  private readonly agents = new Map<string, Agent>();

  constructor(options: { timeouts: Timeouts; retry: RetryPolicy; userAgent: string }) {
    this.timeouts = options.timeouts;
    this.retry = options.retry;
    this.userAgent = options.userAgent;
  }

  private agent(insecure: boolean, addresses: AddressRule): Agent {
    const key = `${insecure ? 'insecure' : 'verified'} ${addresses}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({
        connect: {
          timeout: this.timeouts.connectMs,
          rejectUnauthorized: !insecure,
          ...(addresses === 'public' ? { lookup: publicOnlyLookup } : {}),
        },
        headersTimeout: this.timeouts.headersMs,
        bodyTimeout: this.timeouts.bodyMs,
        keepAliveTimeout: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
        connections: DEFAULT_CONNECTIONS_PER_ORIGIN,
      });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Send with redirects (GET/HEAD) and retries (idempotent requests). The caller consumes or dumps the body. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { 'user-agent': this.userAgent, ...req.headers };
    let insecure = req.insecure;
    let addresses: AddressRule = req.addresses ?? 'any';
    let redirectRule: AddressRule | undefined;
    let redirects = 0;
    for (let attempt = 0; ; ) {
      let res: Dispatcher.ResponseData;
      try {
        if (addresses === 'public') checkLiteralTarget(url);
        res = await request(url, {
          dispatcher: this.agent(insecure, addresses),
          method: req.method,
          // undici sends `connection: close` with every HEAD (against servers that answer HEAD with a
          // body), so each tag resolve would open a new connection; registries answer HEAD correctly.
          ...(req.method === 'HEAD' ? { reset: false } : {}),
          headers,
          body: req.body,
          signal: req.signal,
        });
      } catch (err) {
        const mapped = networkError(err, req.what, req.signal);
        const retryable = req.idempotent && TRANSIENT_CODES.has(causeCode(err)) && !req.signal?.aborted;
        if (retryable && attempt < this.retry.maxRetries) {
          await this.pause(retryDelay(this.retry, attempt, undefined), req);
          attempt += 1;
          continue;
        }
        throw mapped;
      }
      const location = header(res.headers, 'location');
      if ([301, 302, 303, 307, 308].includes(res.statusCode) && location && (req.method === 'GET' || req.method === 'HEAD')) {
        await res.body.dump();
        if (++redirects > MAX_REDIRECTS) {
          throw new OciError('REGISTRY_ERROR', `${req.what}: more than ${MAX_REDIRECTS} redirects`);
        }
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new OciError('REGISTRY_ERROR', `${req.what}: the registry redirected to a ${next.protocol} URL; only http(s) is followed`);
        }
        if (next.origin !== url.origin && addresses !== 'public') {
          redirectRule ??= req.redirectAddresses ? await req.redirectAddresses() : 'any';
          addresses = redirectRule;
        }
        if (next.origin !== url.origin) {
          // Credentials for the registry must not travel to blob storage or anywhere else.
          const { authorization: _dropped, ...rest } = headers as Record<string, string>;
          headers = rest as typeof headers;
          insecure = false;
        }
        url = next;
        continue;
      }
      if (RETRYABLE_STATUSES.has(res.statusCode) && req.idempotent && attempt < this.retry.maxRetries) {
        const retryAfter = parseRetryAfter(header(res.headers, 'retry-after'));
        const delay = retryDelay(this.retry, attempt, retryAfter);
        await res.body.dump();
        if (delay > this.retry.maxDelayMs) {
          throw new OciError(
            'REGISTRY_UNAVAILABLE',
            `${req.what}: the registry answered ${res.statusCode} and asks to retry after ${Math.ceil(delay / 1000)} s, longer than the ${Math.ceil(this.retry.maxDelayMs / 1000)} s we wait; try again later`,
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

  private async pause(ms: number, req: HttpRequest): Promise<void> {
    try {
      await sleep(ms, undefined, req.signal ? { signal: req.signal } : undefined);
    } catch (err) {
      throw networkError(err, req.what, req.signal);
    }
  }

  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((agent) => agent.close()));
  }
}
