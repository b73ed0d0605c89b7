// Kyverno's bearer token on /checkimages: header handling here; the TokenReview call itself is Kubernetes' (src/kube createTokenReviewer).

/** What Kubernetes' TokenReview says about a token. */
export interface TokenReviewStatus {
  authenticated: boolean;
  username?: string;
}

/** Asks the API server about a token. Implementations must never log or echo the token. */
export type TokenReviewer = (token: string, signal: AbortSignal) => Promise<TokenReviewStatus>;

export type BearerResult = { ok: true; token: string } | { ok: false; status: 401 | 406; message: string };

/** The peer's answer to a token that is not authorized, and (issue 11) to a malformed header. */
export const TOKEN_NOT_AUTHORIZED = 'Token is not authorized';

/** Most bytes of an Authorization header we look at (a service account JWT is ~1 KiB). */
const MAX_AUTHORIZATION_HEADER_BYTES = 16 * 1024;

/**
 * The token of `Authorization: Bearer <token>`. No header: 401 as the peer. The peer indexed
 * past the end of the split on a header without "Bearer " and crashed the handler; here every
 * malformed header is the 406 of a token that is not authorized.
 */
export function bearerToken(header: string | string[] | undefined): BearerResult {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.length === 0) return { ok: false, status: 401, message: 'Authorization header not supplied' };
  if (value.length > MAX_AUTHORIZATION_HEADER_BYTES) return { ok: false, status: 406, message: TOKEN_NOT_AUTHORIZED };
  const match = /^Bearer +(\S+) *$/i.exec(value);
  if (!match) return { ok: false, status: 406, message: TOKEN_NOT_AUTHORIZED };
  return { ok: true, token: match[1] as string };
}
