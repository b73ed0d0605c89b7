// The /checkimages route as a fastify plugin: byte-compatible with kyverno-notation-aws (statuses, bodies, headers).
import { defaultMaxListeners, setMaxListeners } from 'node:events';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { deadline, withDeadline } from '../common/index.js';
import { canonicalRepository } from '../reference/index.js';
import type { ConfigSource, TrustPolicyEntry } from '../config/index.js';
import type { ImageVerdict } from '../verification/index.js';
import type { VerdictCache } from './cache.js';
import { CHECK_IMAGES_PATH, ENV_DEFAULT_TRUST_POLICY, SHED_RETRY_AFTER_SECONDS } from './constants.js';
import { formatImageInfoLikeGo, JSON_CONTENT_TYPE, marshalIndentLikeGo, sendGoError } from './go-http.js';
import type { ServiceMetrics } from './metrics.js';
import { parseCheckImagesRequest, type ContainerKind, type RequestedImage } from './request.js';
import { bearerToken, TOKEN_NOT_AUTHORIZED, type TokenReviewer } from './token-review.js';
import type { ResolvedLimits } from './options.js';
import { imageLogFields } from './image-log.js';
import { checkImages, type ImageOutcome, type VerificationBackend } from './verification.js';
import type { AttestationCache } from '../attest/index.js';

export interface CheckImagesPluginOptions {
  config: ConfigSource;
  backend: VerificationBackend;
  cache: VerdictCache<ImageVerdict>;
  /** Outcomes of attestation artifacts, apart from image verdicts. */
  attestationCache?: AttestationCache;
  metrics: ServiceMetrics;
  limits: ResolvedLimits;
  /** Trust policy for requests that name none (env DEFAULT_TRUST_POLICY). */
  defaultTrustPolicy?: string;
  /** Registries for which a request's `insecure: true` is honoured (--allowInsecureRegistry). */
  allowInsecure(registry: string): boolean;
  /** Set when token review is on: the reviewer and the users allowed to call. */
  tokenReview?: { reviewer: TokenReviewer; allowedUsers: readonly string[] };
}

/** Abort listeners on a request's signal: per image verified at the same time, and a margin for the request's own. */
const ABORT_LISTENERS_PER_IMAGE = 4;
const ABORT_LISTENERS_PER_REQUEST = 10;

/** Log levels at which the per-image lines (level info) are written. */
const INFO_LEVELS = new Set(['trace', 'debug', 'info']);

/** The 406 prefix the peer writes per container kind (its wording, including the ephemeral one's colon). */
const FAILURE_PREFIX: Record<ContainerKind, string> = {
  containers: 'failed to verify container ',
  initContainers: 'failed to verify init container ',
  ephemeralContainers: 'failed to verify ephemeral container: ',
};

const KIND_NOUN: Record<ContainerKind, string> = {
  containers: 'container',
  initContainers: 'init container',
  ephemeralContainers: 'ephemeral container',
};

function failureMessage(image: RequestedImage, reason: string): string {
  return `${FAILURE_PREFIX[image.kind]}${image.containerName}: failed to verify image ${formatImageInfoLikeGo(image.info)}: ${reason}`;
}

interface CheckImagesResponse {
  verified: true;
  message: string;
  results: { op: 'replace'; path: string; value: string }[];
  digests: Record<string, string>;
}

function successBody(outcomes: readonly ImageOutcome[], trustPolicy: TrustPolicyEntry, skipped: number): CheckImagesResponse {
  const results: CheckImagesResponse['results'] = [];
  const digests: Record<string, string> = {};
  for (const outcome of outcomes) {
    if (outcome.status !== 'verified') continue;
    const { image } = outcome;
    if (image.info.jsonPointer !== '') {
      // The registry in its canonical spelling, as scopes were selected (DOCKER.IO:443 → docker.io); the digest pins the content.
      results.push({ op: 'replace', path: image.info.jsonPointer, value: `${canonicalRepository(image.repositoryString)}@${outcome.digest}` });
    }
    digests[image.imageString] = outcome.digest;
  }
  const sortedDigests = Object.fromEntries(Object.entries(digests).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const count = outcomes.length;
  const message =
    `verified ${count} image${count === 1 ? '' : 's'} with trust policy ${trustPolicy.name}` +
    (skipped > 0 ? `; ${skipped} not matched by imageReferences and not verified` : '');
  return { verified: true, message, results, digests: sortedDigests };
}

function decodeBody(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : typeof body === 'string' ? body : '';
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    // Only a body JSON refuses can be blank: the common request is not scanned twice.
    if (text.trim() === '') return { ok: false, message: 'unexpected end of JSON input: the request body is empty; send Kyverno\'s {"images": ...} JSON' };
    return { ok: false, message: `failed to decode the request body as JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/**
 * POST /checkimages (other methods 405), registered on the API app with `app.register`. Its
 * context takes any content type as raw bytes and answers errors in Go's `http.Error` form; a
 * plugin beside it (the admission webhook) keeps its own parsers and handlers.
 */
export const checkImagesPlugin: FastifyPluginAsync<CheckImagesPluginOptions> = async (app, options) => {
  const { config, backend, cache, metrics, limits } = options;
  // Any content type: curl -d sends form-urlencoded, Kyverno application/json; the peer ignores it too.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      metrics.requests.inc({ status: '413' });
      return sendGoError(reply, 413, `request body is larger than the limit of ${limits.maxRequestBytes} bytes`);
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error in /checkimages');
    metrics.requests.inc({ status: String(status) });
    return sendGoError(reply, status, status === 500 ? 'internal error; see the service log' : error.message);
  });

  // Load shedding: beyond --maxConcurrentRequests a request is answered at once, before its body is
  // read, so a flood costs a socket and a few bytes each instead of growing memory and latency.
  // A callback hook (no promise a request) that counts in ServiceMetrics.inFlight, read by the gauge when scraped.
  app.addHook('onRequest', (request, reply, done) => {
    const { inFlight } = metrics;
    if (inFlight >= limits.maxConcurrentRequests) {
      metrics.requests.inc({ status: '503' });
      request.log.debug({ status: 503, inFlight }, 'checkimages shed');
      // The unread body would otherwise be drained: close the connection after the answer.
      reply.header('retry-after', String(SHED_RETRY_AFTER_SECONDS)).header('connection', 'close');
      // Answered here: fastify goes no further without done().
      sendGoError(
        reply,
        503,
        `the service is busy: ${inFlight} requests are being verified, the limit of --maxConcurrentRequests; the request was not verified, retry after ${SHED_RETRY_AFTER_SECONDS} s`,
      );
      return;
    }
    metrics.inFlight += 1;
    // 'close' comes once per response, answered or abandoned by the client.
    reply.raw.once('close', () => {
      metrics.inFlight -= 1;
    });
    done();
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const finish = (status: number, send: () => FastifyReply, fields: Record<string, unknown> = {}): FastifyReply => {
      const durationMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      metrics.requests.inc({ status: String(status) });
      metrics.requestDuration.observe({ status: String(status) }, durationMs / 1000);
      metrics.requestCpu.observe({ status: String(status) }, (cpu.user + cpu.system) / 1e6);
      request.log.info({ status, durationMs: Math.round(durationMs * 10) / 10, ...fields }, 'checkimages');
      return send();
    };
    const fail = (status: number, message: string, fields: Record<string, unknown> = {}) =>
      finish(status, () => sendGoError(reply, status, message), { reason: message, ...fields });

    if (request.method !== 'POST') {
      reply.header('allow', 'POST');
      return fail(405, 'Method Not Allowed');
    }

    if (options.tokenReview) {
      const bearer = bearerToken(request.headers.authorization);
      if (!bearer.ok) return fail(bearer.status, bearer.message);
      let status;
      try {
        const { reviewer } = options.tokenReview;
        status = await withDeadline([], { timeoutMs: limits.requestTimeoutMs }, (signal) => reviewer(bearer.token, signal));
      } catch (err) {
        return fail(406, `failed to review the bearer token: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (!status.authenticated || !status.username || !options.tokenReview.allowedUsers.includes(status.username)) {
        return fail(406, TOKEN_NOT_AUTHORIZED, { user: status.username });
      }
    }

    const decoded = decodeBody(request.body);
    if (!decoded.ok) return fail(406, decoded.message);
    const parsed = parseCheckImagesRequest(decoded.value, { maxImages: limits.maxImagesPerRequest });
    if (!parsed.ok) return fail(406, parsed.message);
    const body = parsed.request;
    if (body.total === 0) return fail(406, "missing required parameter 'images'");

    const name = body.trustPolicy ?? options.defaultTrustPolicy;
    if (!name) {
      return fail(406, `no trust policy specified, please specify a trust policy in request or set ${ENV_DEFAULT_TRUST_POLICY} env`);
    }
    const snapshot = config.current();
    const trustPolicy = snapshot.trustPolicies.get(name);
    if (!trustPolicy) {
      const known = [...snapshot.trustPolicies.keys()].sort();
      return fail(
        406,
        `no trust policy found for trust policy ${name}: no TrustPolicy resource has spec.trustPolicyName ${JSON.stringify(name)}` +
          (known.length > 0 ? ` (loaded: ${known.join(', ')})` : ' (none is loaded)'),
      );
    }

    if (body.metadataError) request.log.debug({ reason: body.metadataError }, 'ignoring unreadable metadata');
    const claimed = body.images.filter((image) => body.metadata[image.imageString]).length;
    if (claimed > 0) request.log.debug({ claimed }, 'metadata marks images verified; verifying them anyway');

    // Deadline below Kyverno's webhook timeout; a client that hangs up stops the wait as well. One
    // controller for both: a deadline over a second (disconnect) controller costs a signal and its listeners.
    const requestDeadline = deadline([], {
      timeoutMs: limits.requestTimeoutMs,
      timeoutMessage: `the request did not finish within ${limits.requestTimeoutMs} ms`,
    });
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) requestDeadline.abort(new DOMException('the client closed the connection', 'AbortError'));
    });
    const { signal } = requestDeadline;
    // Each image in flight listens on it a few times (its wait, its registry request): not a leak, so
    // no MaxListenersExceededWarning (a stack trace and a stderr line per request beyond 3 images).
    // Raising the bound costs as much as a cache hit: only when the images in flight could pass the
    // default, or attestations (several artifacts an image) are asked for.
    const imageListeners = Math.min(limits.imageConcurrency, body.images.length) * ABORT_LISTENERS_PER_IMAGE;
    if (imageListeners > defaultMaxListeners || body.attestations.length > 0) {
      setMaxListeners(limits.imageConcurrency * ABORT_LISTENERS_PER_IMAGE + ABORT_LISTENERS_PER_REQUEST, signal);
    }
    let outcomes: ImageOutcome[];
    try {
      outcomes = await checkImages(body.images, {
        backend,
        cache,
        ...(options.attestationCache ? { attestationCache: options.attestationCache } : {}),
        metrics,
        trustPolicy,
        insecure: (registry) => body.insecure && options.allowInsecure(registry),
        signal,
        requestTimeoutMs: limits.requestTimeoutMs,
        concurrency: limits.imageConcurrency,
      });
    } finally {
      requestDeadline.dispose();
    }

    // The fields are work per image: only when the line is written.
    if (INFO_LEVELS.has(request.log.level)) for (const outcome of outcomes) request.log.info(imageLogFields(outcome, trustPolicy), 'image');
    const fields = { images: body.images.length, skipped: body.skipped.length, trustPolicy: name, generation: trustPolicy.generation };
    for (const outcome of outcomes) {
      if (outcome.status === 'verified') continue;
      if (outcome.status === 'error') {
        request.log.error({ err: outcome.error, container: outcome.image.containerName, image: outcome.image.imageString }, 'internal error while verifying');
        return fail(500, `internal error while verifying ${KIND_NOUN[outcome.image.kind]} ${outcome.image.containerName}; see the service log`, fields);
      }
      return fail(406, failureMessage(outcome.image, outcome.reason), { ...fields, code: outcome.code });
    }
    const response = successBody(outcomes, trustPolicy, body.skipped.length);
    return finish(200, () => reply.code(200).header('content-type', JSON_CONTENT_TYPE).send(marshalIndentLikeGo(response)), {
      ...fields,
      cached: outcomes.filter((o) => o.status === 'verified' && o.cached).length,
    });
  };

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: CHECK_IMAGES_PATH, bodyLimit: limits.maxRequestBytes, handler });
};
