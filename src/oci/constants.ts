// Media types, annotations, limits and defaults of the OCI domain, in one place.

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** The empty JSON blob `{}` used as config of artifacts (OCI 1.1). */
export const MEDIA_TYPE_OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const MEDIA_TYPE_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const MEDIA_TYPE_DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_TYPE_DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const MEDIA_TYPE_DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** Manifests that list blobs (config + layers). */
export const IMAGE_MANIFEST_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_OCI_MANIFEST, MEDIA_TYPE_DOCKER_MANIFEST];
/** Manifests that list other manifests. */
export const INDEX_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_DOCKER_MANIFEST_LIST];
/** Every manifest media type we read; the Accept header of manifest requests. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [...IMAGE_MANIFEST_MEDIA_TYPES, ...INDEX_MEDIA_TYPES];

/** The empty JSON blob `{}` and its descriptor (image-spec "Guidance for an Empty Descriptor"). */
export const EMPTY_JSON_BYTES: Uint8Array = new TextEncoder().encode('{}');
export const EMPTY_JSON_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** Tag of a manifest inside an OCI image layout's index.json. */
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_CREATED = 'org.opencontainers.image.created';
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_INDEX_FILE = 'index.json';
export const OCI_LAYOUT_BLOBS_DIR = 'blobs';
export const OCI_LAYOUT_VERSION = '1.0.0';

/**
 * Limits on registry JSON, which is untrusted and parsed synchronously. Image manifests and indexes keep
 * the distribution spec's 4 MiB (the least a registry must accept); the documents a verification reads
 * once per referrer or page are bounded far lower: real ones are a few KiB (a Notary signature manifest
 * ~1 KiB, a referrer descriptor 300-500 bytes, an envelope 2-10 KiB, ~40 KiB with a 16-certificate chain
 * and a timestamp). 256 KiB leaves room for 500+ descriptors per page or index and keeps one parse of
 * hostile JSON in the tens of milliseconds. Each is a RegistryLimits option for registries that need more.
 */
/** Default largest image manifest or index accepted (the distribution spec's recommended minimum a registry accepts). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Default largest manifest fetched through a descriptor that names an artifactType (signatures, SBOMs, attestations: what referrers() lists). */
export const DEFAULT_MAX_ARTIFACT_MANIFEST_BYTES = 256 * 1024;
/** Default largest Referrers API page. */
export const DEFAULT_MAX_REFERRERS_PAGE_BYTES = 256 * 1024;
/** Default largest referrers tag schema index (`sha256-<hex>`), read and written. */
export const DEFAULT_MAX_REFERRERS_INDEX_BYTES = 256 * 1024;
/** Default largest signature envelope blob (media types below). */
export const DEFAULT_MAX_SIGNATURE_ENVELOPE_BYTES = 256 * 1024;
/** Blob media types bounded by the signature envelope limit (JWS JSON serialization, COSE_Sign1). */
export const SIGNATURE_ENVELOPE_MEDIA_TYPES: readonly string[] = ['application/jose+json', 'application/cose'];
/** Deepest nesting of arrays and objects in registry JSON (real documents nest 5 levels). */
export const MAX_JSON_DEPTH = 64;
/** Default largest blob read into memory. */
export const DEFAULT_MAX_BLOB_BYTES = 256 * 1024 * 1024;
/** Default most referrers listed for one subject (all pages together). */
export const DEFAULT_MAX_REFERRERS = 1000;
/** Default most Referrers API pages followed through Link headers. */
export const DEFAULT_MAX_REFERRERS_PAGES = 20;
/** Largest token-server answer or registry error body read. */
export const MAX_AUXILIARY_RESPONSE_BYTES = 256 * 1024;

/** A manifest push the registry answers MANIFEST_BLOB_UNKNOWN is retried this often (a concurrent upload of the same blob may be committing)... */
export const MANIFEST_BLOB_UNKNOWN_RETRIES = 3;
/** ...after this delay times the attempt number. */
export const MANIFEST_BLOB_UNKNOWN_DELAY_MS = 50;
/** Most redirects followed for one request (blob storage usually needs one). */
export const MAX_REDIRECTS = 5;

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 30_000;
export const DEFAULT_BODY_TIMEOUT_MS = 60_000;
/**
 * Idle keep-alive sockets are closed after this when the registry sends no `Keep-Alive: timeout` (Go's
 * net/http, as docker-registry, sends none and keeps idle connections open): long enough that a request
 * after a quiet minute finds its connections open. A registry that closes sooner closes the socket
 * (the pool notices), and a request that loses the race is retried (idempotent, DEFAULT_MAX_RETRIES).
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 120_000;
/** The longest idle time a registry's `Keep-Alive: timeout` is followed to. */
export const DEFAULT_KEEP_ALIVE_MAX_TIMEOUT_MS = 600_000;
/**
 * Requests in flight to one registry host at once (its connection pool has as many connections): 50 images
 * of one request to one registry all go out at once. Halved while the registry answers 429 (see host-limit.ts).
 */
export const DEFAULT_MAX_REQUESTS_PER_REGISTRY = 64;
/**
 * Requests to a registry that has not answered yet let through at once (see warm-up.ts): one image's HEAD and,
 * by digest, its signature listing, which needs nothing the HEAD answers. The others wait for an answer.
 */
export const WARM_UP_REQUESTS = 2;
/** Offer HTTP/2 to TLS registries: one connection carries every request to the host. */
export const DEFAULT_ALLOW_H2 = true;

/** Retries of idempotent requests answered 429/5xx or failing at the network level. */
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_RETRY_BASE_DELAY_MS = 200;
/** A Retry-After longer than this is not waited for: the request fails instead. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 10_000;
/** HTTP statuses after which an idempotent request is retried. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Token lifetime when the token server names none (distribution token spec: 60 s). */
export const DEFAULT_TOKEN_EXPIRES_SECONDS = 60;
/** Tokens are refreshed this long before they expire. */
export const TOKEN_EXPIRY_LEEWAY_MS = 5_000;
/** A `docker-credential-<name>` helper that does not answer within this is killed. */
export const CREDENTIAL_HELPER_TIMEOUT_MS = 10_000;

/** Blobs larger than this are uploaded in chunks (PATCH) rather than one PUT. */
export const DEFAULT_MONOLITHIC_UPLOAD_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;

/** Docker Hub's API endpoint differs from its name in references. */
export const DOCKER_HUB_REGISTRY = 'docker.io';
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
/** The key `docker login` writes for Docker Hub in config.json. */
export const DOCKER_HUB_CONFIG_KEY = 'https://index.docker.io/v1/';

export const USER_AGENT = 'imgverify';

/** How the CLI's "requires a username and password" error says to give credentials (the default remedy). */
export const CLI_CREDENTIALS_REMEDY = 'pass --username/--password, --registry-config, or docker login';

/** How deep and how large a referrers graph `referrersTree` walks by default (`discover --depth`). */
export const DEFAULT_REFERRERS_TREE_DEPTH = 16;
export const DEFAULT_REFERRERS_TREE_NODES = 1000;
