// The TokenReviewer of Kubernetes mode: asks the API server (authentication.k8s.io/v1 TokenReview) about Kyverno's bearer token, with audiences, cached briefly by token hash.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { callApi, type KubernetesApi } from './api.js';
import { TOKEN_REVIEW_CACHE_MAX_ENTRIES, TOKEN_REVIEW_CACHE_TTL_MS } from './constants.js';
import type { KubernetesMetrics } from './metrics.js';

/** What the service needs of a review (structurally the service's TokenReviewStatus). */
export interface ReviewedToken {
  authenticated: boolean;
  username?: string;
}

export interface KubernetesTokenReviewerOptions {
  api: KubernetesApi;
  /** --tokenAudiences: the token must be valid for one of these (none: the API server's own audience). */
  audiences?: readonly string[];
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  metrics?: KubernetesMetrics;
}

/**
 * A reviewer for the service's token check. Answers (allowed or not) are cached for a few
 * seconds under sha256(audiences, token): the token itself is never kept, logged or sent
 * anywhere but to the API server. Errors are not cached and propagate (the request fails closed).
 */
export function createTokenReviewer(options: KubernetesTokenReviewerOptions): (token: string, signal: AbortSignal) => Promise<ReviewedToken> {
  const { api, metrics } = options;
  const audiences = [...(options.audiences ?? [])];
  const cache = new LRUCache<string, ReviewedToken>({ max: options.cacheMaxEntries ?? TOKEN_REVIEW_CACHE_MAX_ENTRIES, ttl: options.cacheTtlMs ?? TOKEN_REVIEW_CACHE_TTL_MS });
  const scope = audiences.join('\n');
  return async (token, signal) => {
    const key = createHash('sha256').update(scope).update('\0').update(token).digest('hex');
    const cached = cache.get(key);
    if (cached) {
      metrics?.tokenReviews.inc({ result: cached.authenticated ? 'cached_allowed' : 'cached_denied' });
      return cached;
    }
    let review;
    try {
      review = await callApi(
        api,
        'create TokenReview',
        (call) =>
          api.authentication.createTokenReview(
            { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences.length > 0 ? { audiences } : {}) } } },
            call,
          ),
        signal,
      );
    } catch (err) {
      metrics?.tokenReviews.inc({ result: 'error' });
      throw err;
    }
    const status = review.status;
    // With audiences asked, the API server must also say the token is valid for one of them.
    const audienceOk = audiences.length === 0 || (status?.audiences ?? []).some((a) => audiences.includes(a));
    const username = status?.user?.username;
    const result: ReviewedToken = status?.authenticated === true && audienceOk ? { authenticated: true, ...(username ? { username } : {}) } : { authenticated: false };
    cache.set(key, result);
    metrics?.tokenReviews.inc({ result: result.authenticated ? 'allowed' : 'denied' });
    return result;
  };
}
