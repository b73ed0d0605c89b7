// HTTP fetches of OCSP responses and CRLs: http:// only, bounded in time and size, cancellable.
import { request } from 'undici';
import { deadline } from '../../common/index.js';

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

export async function fetchBytes(url: string, options: FetchOptions): Promise<Uint8Array> {
  const parsed = parseHttpUrl(url);
  if (options.signal?.aborted) throw new FetchError(`request to ${url} was cancelled: the verification deadline passed`);
  // Strong references: AbortSignal.any(AbortSignal.timeout(...)) stops aborting after a GC on Node 20.
  const timeout = deadline([options.signal], { timeoutMs: options.timeoutMs });
  const { signal } = timeout;
  try {
    const response = await request(parsed, {
      method: options.method,
      body: options.body,
      headers: options.contentType ? { 'content-type': options.contentType } : {},
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new FetchError(`${url} answered HTTP ${response.statusCode}`);
    }
    // Destroying an undici body emits 'error' (UND_ERR_ABORTED); nobody else listens, so swallow it here.
    response.body.on('error', () => {});
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.body.destroy();
      throw new FetchError(`${url} sent ${declared} bytes, more than the ${options.maxBytes} allowed`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > options.maxBytes) {
        response.body.destroy();
        throw new FetchError(`${url} sent more than the ${options.maxBytes} bytes allowed`);
      }
      chunks.push(buffer);
    }
    return new Uint8Array(Buffer.concat(chunks));
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (timeout.timedOut) throw new FetchError(`${url} did not answer within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new FetchError(`request to ${url} was cancelled: the verification deadline passed`);
    const code = (err as { code?: string }).code;
    throw new FetchError(`${url} is unreachable: ${code ?? (err as Error).message}`);
  } finally {
    timeout.dispose();
  }
}
