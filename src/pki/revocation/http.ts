// HTTP fetches of OCSP responses and CRLs: http:// only, bounded in time and size, cancellable, no redirects,
// through the one bounded HttpClient of common/http.ts; its errors are said plainly for CertificateRevocation.error.
import { causeCode, HttpClient, HttpError } from '../../common/index.js';

export interface FetchOptions {
  method: 'GET' | 'POST';
  body?: Uint8Array;
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

/** Why a fetch failed: said plainly, for CertificateRevocation.error. */
export class FetchError extends Error {}

/** The client of revocation fetches: the whole exchange is bounded by each fetch's own deadline. */
const client = new HttpClient();

/** Parse a revocation URL; the Notary spec supports only HTTP CRL and OCSP URLs. */
function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError(`"${url}" is not a valid URL`);
  }
  if (parsed.protocol !== 'http:') throw new FetchError(`unsupported URL scheme in "${url}": only http URLs are supported`);
  return parsed;
}

function cancelled(url: string): FetchError {
  return new FetchError(`request to ${url} was cancelled: the verification deadline passed`);
}

/** The wording of revocation messages for a failure of the HTTP client. */
function fetchError(url: string, err: HttpError, options: FetchOptions): FetchError {
  switch (err.code) {
    case 'ABORTED':
      return cancelled(url);
    case 'TIMEOUT':
      return new FetchError(`${url} did not answer within ${options.timeoutMs} ms`);
    case 'RESPONSE_TOO_LARGE':
      return err.declaredBytes === undefined
        ? new FetchError(`${url} sent more than the ${options.maxBytes} bytes allowed`)
        : new FetchError(`${url} sent ${err.declaredBytes} bytes, more than the ${options.maxBytes} allowed`);
    default: {
      const cause = err.cause;
      const code = causeCode(cause);
      return new FetchError(`${url} is unreachable: ${code || (cause instanceof Error ? cause.message : err.message)}`);
    }
  }
}

export async function fetchBytes(url: string, options: FetchOptions): Promise<Uint8Array> {
  const parsed = parseHttpUrl(url);
  if (options.signal?.aborted) throw cancelled(url);
  let response;
  try {
    response = await client.fetchBytes(
      {
        method: options.method,
        url: parsed,
        ...(options.body && { body: options.body }),
        headers: options.contentType ? { 'content-type': options.contentType } : {},
        ...(options.signal && { signal: options.signal }),
        idempotent: false,
        followRedirects: false,
        what: url,
      },
      { maxBytes: options.maxBytes, timeoutMs: options.timeoutMs },
    );
  } catch (err) {
    if (err instanceof HttpError) throw fetchError(url, err, options);
    throw new FetchError(`${url} is unreachable: ${causeCode(err) || (err as Error).message}`);
  }
  if (response.status !== 200) throw new FetchError(`${url} answered HTTP ${response.status}`);
  return response.bytes;
}
