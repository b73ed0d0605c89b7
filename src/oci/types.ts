// The OCI data model and the store contract shared by the registry client and the OCI layout.

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Platform;
  urls?: string[];
  data?: string;
}

/** OCI image manifest (also covers Docker v2 schema 2, which has the same shape). */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** OCI image index (also covers Docker manifest list). */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type Manifest = ImageManifest | ImageIndex;

/** A manifest as fetched: the exact bytes (digest-verified), its descriptor and the parsed value. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Uint8Array;
  manifest: Manifest;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * What the rest of imgverify needs from a place that holds artifacts: a remote repository
 * or a local OCI image layout. Every read is size-limited and digest-verified.
 */
export interface ArtifactStore {
  /** Human-readable name of the repository, e.g. `ghcr.io/org/app` or `oci-layout:/path`. */
  readonly name: string;
  /** Resolve a tag or digest to the manifest descriptor it points at (one request). */
  resolve(tagOrDigest: string, options?: RequestOptions): Promise<Descriptor>;
  /** Fetch a manifest by descriptor or digest; bytes are checked against the digest. */
  fetchManifest(target: Descriptor | string, options?: RequestOptions): Promise<FetchedManifest>;
  /** Fetch a blob; its size and digest are checked against the descriptor. */
  fetchBlob(descriptor: Descriptor, options?: RequestOptions): Promise<Uint8Array>;
  /**
   * List the manifests whose `subject` is `subject`: Referrers API when available, else the
   * referrers tag schema (`<alg>-<hex>`). Optional filter on `artifactType`.
   */
  referrers(subject: Descriptor, artifactType?: string, options?: RequestOptions): Promise<Descriptor[]>;
  /**
   * Start listing the referrers of `digest` for the next referrers() call that asks for them (a remote
   * repository sends the listing while the caller resolves the digest). Optional for stores.
   */
  prefetchReferrers?(digest: string, artifactType?: string, options?: RequestOptions): void;
  /** True when the store holds the blob (lets copies skip downloads). Optional for stores. */
  hasBlob?(descriptor: Descriptor, options?: RequestOptions): Promise<boolean>;
  /**
   * Make the store hold `descriptor` by mounting it from `from` without a download (a registry's
   * cross-repository mount); false when not possible. Optional for stores.
   */
  mountBlob?(descriptor: Descriptor, from: ArtifactStore, options?: RequestOptions): Promise<boolean>;
  /** Upload a blob (no-op when it exists). */
  pushBlob(bytes: Uint8Array, mediaType: string, options?: RequestOptions): Promise<Descriptor>;
  /**
   * Store a manifest, optionally under a tag. When it has a `subject` and the store has no
   * Referrers API, the referrers tag index is updated as the distribution spec requires.
   */
  pushManifest(bytes: Uint8Array, mediaType: string, tag?: string, options?: RequestOptions): Promise<Descriptor>;
}
