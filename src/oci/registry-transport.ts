// What a Repository needs from whoever talks to its registry: one request-sending method and options by value.
import {
  DEFAULT_MAX_ARTIFACT_MANIFEST_BYTES,
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_MAX_REFERRERS,
  DEFAULT_MAX_REFERRERS_INDEX_BYTES,
  DEFAULT_MAX_REFERRERS_PAGE_BYTES,
  DEFAULT_MAX_REFERRERS_PAGES,
  DEFAULT_MAX_SIGNATURE_ENVELOPE_BYTES,
  DEFAULT_MONOLITHIC_UPLOAD_MAX_BYTES,
  DEFAULT_UPLOAD_CHUNK_BYTES,
} from './constants.js';
import { OciError } from './errors.js';
import type { HttpMethod, HttpResponse } from './transport.js';

/** Bounds on what a registry may make us read and parse (see constants.ts for why each default). */
export interface RegistryLimits {
  /** Largest image manifest or index read (default 4 MiB). */
  maxManifestBytes: number;
  /** Largest manifest read through a descriptor naming an artifactType, e.g. a signature manifest (default 256 KiB). */
  maxArtifactManifestBytes: number;
  /** Largest Referrers API page (default 256 KiB). */
  maxReferrersPageBytes: number;
  /** Largest referrers tag schema index, read or written (default 256 KiB). */
  maxReferrersIndexBytes: number;
  /** Largest blob of a signature envelope media type (application/jose+json, application/cose; default 256 KiB). */
  maxSignatureEnvelopeBytes: number;
  /** Largest blob read into memory (default 256 MiB). */
  maxBlobBytes: number;
  /** Most referrers listed for one subject. */
  maxReferrers: number;
  /** Most Referrers API pages followed. */
  maxReferrersPages: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxManifestBytes: DEFAULT_MAX_MANIFEST_BYTES,
  maxArtifactManifestBytes: DEFAULT_MAX_ARTIFACT_MANIFEST_BYTES,
  maxReferrersPageBytes: DEFAULT_MAX_REFERRERS_PAGE_BYTES,
  maxReferrersIndexBytes: DEFAULT_MAX_REFERRERS_INDEX_BYTES,
  maxSignatureEnvelopeBytes: DEFAULT_MAX_SIGNATURE_ENVELOPE_BYTES,
  maxBlobBytes: DEFAULT_MAX_BLOB_BYTES,
  maxReferrers: DEFAULT_MAX_REFERRERS,
  maxReferrersPages: DEFAULT_MAX_REFERRERS_PAGES,
};

/** A Repository's settings, passed by value. */
export interface RepositoryOptions {
  limits: RegistryLimits;
  /** Blobs up to this size are uploaded with one PUT; larger ones in chunks of `uploadChunkBytes`. */
  monolithicUploadMaxBytes: number;
  uploadChunkBytes: number;
  /** Keep the referrers tag index of a pushed referrer even where the Referrers API is served (notation's --force-referrers-tag). */
  forceReferrersTag: boolean;
}

/** Complete repository options from partial ones, every limit checked to be a positive integer. */
export function repositoryOptions(
  options: { limits?: Partial<RegistryLimits>; monolithicUploadMaxBytes?: number; uploadChunkBytes?: number; forceReferrersTag?: boolean } = {},
): RepositoryOptions {
  const limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new OciError('INVALID_ARGUMENT', `limit ${name} must be a positive integer, got ${value}`);
  }
  return {
    limits,
    monolithicUploadMaxBytes: options.monolithicUploadMaxBytes ?? DEFAULT_MONOLITHIC_UPLOAD_MAX_BYTES,
    uploadChunkBytes: options.uploadChunkBytes ?? DEFAULT_UPLOAD_CHUNK_BYTES,
    forceReferrersTag: options.forceReferrersTag ?? false,
  };
}

/** One request to a registry; `url` is a path (`/v2/...`) or an absolute URL the registry gave us. */
export interface RegistryRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Token scopes the request needs, e.g. `repository:org/app:pull`. */
  scopes: string[];
  idempotent: boolean;
  signal?: AbortSignal;
  what: string;
}

/**
 * Sends a Repository's requests to its registry, answering auth challenges with the registry's
 * credentials (as oras-go's `remote.Client`). RegistryClient is the implementation.
 */
export interface RegistryTransport {
  send(registry: string, req: RegistryRequest): Promise<HttpResponse>;
}
