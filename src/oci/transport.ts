// The OCI client's HTTP transport: the common bounded HTTP client with the registry defaults, its failures as OciErrors.
import {
  causeCode,
  HttpClient,
  HttpError,
  type HttpRequest as CommonHttpRequest,
  type HttpResponse,
  type HttpRetryPolicy,
  type HttpTimeouts,
} from '../common/index.js';
import {
  DEFAULT_BODY_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_MAX_TIMEOUT_MS,
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_RETRY_BASE_DELAY_MS,
  MAX_REDIRECTS,
  RETRYABLE_STATUSES,
} from './constants.js';
import { OciError } from './errors.js';

export { abandon, header, parseRetryAfter, type HttpMethod, type HttpResponse, type ResponseBody, type ResponseHeaders } from '../common/index.js';
export type Timeouts = HttpTimeouts;
export type RetryPolicy = HttpRetryPolicy;

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

/** A registry request at the HTTP level: the headers are complete and TLS verification is decided. */
export interface HttpRequest extends CommonHttpRequest {
  headers: Record<string, string>;
  insecure: boolean;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Turn a failure into an OciError; the caller's abort stays ABORTED (or TIMEOUT for a timeout reason). */
export function networkError(err: unknown, what: string, signal?: AbortSignal): OciError {
  if (err instanceof OciError) return err;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
    return new OciError(timedOut ? 'TIMEOUT' : 'ABORTED', `${what}: ${timedOut ? 'timed out' : 'cancelled'}`, { cause: reason });
  }
  if (err instanceof HttpError) {
    switch (err.code) {
      case 'NON_PUBLIC_ADDRESS':
        return new OciError(
          'REGISTRY_ERROR',
          `${what}: refused to follow the registry to ${err.hostname ?? 'a non-public address'}, a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses`,
          { cause: err },
        );
      case 'TOO_MANY_REDIRECTS':
      case 'REDIRECT_REFUSED':
        return new OciError('REGISTRY_ERROR', err.message, { cause: err });
      case 'RETRY_AFTER_TOO_LONG':
        return new OciError('REGISTRY_UNAVAILABLE', err.message, { cause: err, ...(err.status === undefined ? {} : { status: err.status }) });
      case 'RESPONSE_TOO_LARGE':
        return new OciError('SIZE_LIMIT_EXCEEDED', err.message, { cause: err });
      default:
        // TIMEOUT, TLS, NETWORK, ABORTED: said in the registry's terms from the underlying failure.
        return networkError(err.cause ?? err.message, what, signal);
    }
  }
  const code = causeCode(err);
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

export class HttpTransport {
  private readonly http: HttpClient;

  /** `connectionsPerOrigin`: the registry client's bound of requests in flight per host, so none waits for a connection. */
  constructor(options: { timeouts: Timeouts; retry: RetryPolicy; userAgent: string; connectionsPerOrigin: number; allowH2: boolean }) {
    this.http = new HttpClient({
      ...options,
      maxRedirects: MAX_REDIRECTS,
      keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
      keepAliveMaxTimeoutMs: DEFAULT_KEEP_ALIVE_MAX_TIMEOUT_MS,
      retryableStatuses: RETRYABLE_STATUSES,
    });
  }

  /** Send with redirects (GET/HEAD) and retries (idempotent requests). The caller consumes or dumps the body. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.http.send(req);
    } catch (err) {
      throw networkError(err, req.what, req.signal);
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
