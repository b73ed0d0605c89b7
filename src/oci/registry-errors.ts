// Registry error answers: the distribution spec's `{"errors":[{"code","message"}]}` body and the OciError a status maps to.
import { readLimited } from './body.js';
import { MAX_AUXILIARY_RESPONSE_BYTES } from './constants.js';
import { parseJsonDocument } from './document.js';
import { OciError } from './errors.js';
import { abandon, type HttpResponse } from './transport.js';

/** One entry of a distribution error body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** Longest summary of an error body quoted in a message. */
const MAX_SUMMARY_CHARS = 300;

/**
 * The `{"errors":[{"code","message"}]}` body of a registry error response, read with a limit; [] when absent.
 * The body of a redirected response comes from wherever the registry sent us (perhaps a private service):
 * it is never read into a message.
 */
export async function registryErrors(res: HttpResponse): Promise<RegistryErrorEntry[]> {
  if (res.redirected) {
    await res.body.dump();
    return [];
  }
  try {
    const { bytes } = await readLimited(res.body, MAX_AUXILIARY_RESPONSE_BYTES, () => new OciError('SIZE_LIMIT_EXCEEDED', 'error body too large'), {
      stop: () => abandon(res.body),
    });
    const parsed = parseJsonDocument(bytes, 'error body', 'REGISTRY_ERROR') as { errors?: Array<{ code?: unknown; message?: unknown }> };
    return (parsed.errors ?? []).map((entry) => ({ code: String(entry.code ?? ''), message: entry.message ? String(entry.message) : '' }));
  } catch {
    // Not JSON or unreadable: the status alone must do.
    return [];
  }
}

function errorSummary(errors: RegistryErrorEntry[]): string {
  const first = errors[0];
  return first ? `${first.code}${first.message ? `: ${first.message}` : ''}`.slice(0, MAX_SUMMARY_CHARS) : '';
}

/** Where an unexpected answer came from, for its message. */
export interface AnswerContext {
  /** What was asked, e.g. `manifest ghcr.io/org/app:v1`. */
  what: string;
  /** `registry/repository`. */
  name: string;
  registry: string;
  /** The code of a 404, when 404 means "no such thing" for this request. */
  notFound?: 'MANIFEST_NOT_FOUND' | 'BLOB_NOT_FOUND';
}

/** Map an unexpected status to an error; consumes the body unless `errors` were already read from it. */
export async function unexpectedAnswer(res: HttpResponse, context: AnswerContext, errors?: RegistryErrorEntry[]): Promise<OciError> {
  const { what, name, registry, notFound } = context;
  const summary = errorSummary(errors ?? (await registryErrors(res)));
  const detail = summary ? ` (${summary})` : '';
  if (res.status === 404 && notFound) {
    return new OciError(notFound, `${what}: not found in ${name}${detail}; check the repository, tag or digest`, { status: 404 });
  }
  if (res.status === 401 || res.status === 403) {
    return new OciError('UNAUTHORIZED', `${what}: access denied by ${registry} (HTTP ${res.status})${detail}; check your credentials and their permissions`, { status: res.status });
  }
  if (res.status === 429 || res.status >= 500) {
    return new OciError('REGISTRY_UNAVAILABLE', `${what}: ${registry} answered HTTP ${res.status}${detail}; try again later`, { status: res.status });
  }
  return new OciError('REGISTRY_ERROR', `${what}: ${registry} answered HTTP ${res.status}${detail}`, { status: res.status });
}
