// Media types, annotations, tag suffixes, limits and defaults of cosign's OCI formats, in one place.

/** Layer media type of a legacy `.sig` signature (the simple-signing payload is the layer). */
export const MEDIA_TYPE_SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer media type of a legacy `.att` attestation (the DSSE envelope is the layer). */
export const MEDIA_TYPE_DSSE_ENVELOPE = 'application/vnd.dsse.envelope.v1+json';
/** Artifact type of a Sigstore bundle referrer. */
export const MEDIA_TYPE_SIGSTORE_BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The payload type of an in-toto statement in a DSSE envelope. */
export const PAYLOAD_TYPE_IN_TOTO = 'application/vnd.in-toto+json';
/** The simple-signing payload's `critical.type`. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** Layer annotations cosign writes (pkg/oci/static and pkg/oci/remote). */
export const ANNOTATION_SIGNATURE = 'dev.cosignproject.cosign/signature';
export const ANNOTATION_CERTIFICATE = 'dev.sigstore.cosign/certificate';
export const ANNOTATION_CHAIN = 'dev.sigstore.cosign/chain';
export const ANNOTATION_BUNDLE = 'dev.sigstore.cosign/bundle';
export const ANNOTATION_RFC3161_TIMESTAMP = 'dev.sigstore.cosign/rfc3161timestamp';
export const ANNOTATION_PREDICATE_TYPE = 'predicateType';

/** Legacy tag suffixes: `sha256-<hex>.sig`, `.att`. */
export const SIGNATURE_TAG_SUFFIX = 'sig';
export const ATTESTATION_TAG_SUFFIX = 'att';

/** cosign's `COSIGN_REPOSITORY`: signatures live in this repository instead of the image's. */
export const ENV_COSIGN_REPOSITORY = 'COSIGN_REPOSITORY';
/** cosign's `COSIGN_PASSWORD`: the password of an encrypted private key. */
export const ENV_COSIGN_PASSWORD = 'COSIGN_PASSWORD';

/** The hash a signature is made over when the policy names none (cosign's default). */
export const DEFAULT_SIGNATURE_ALGORITHM = 'sha256';
export const SIGNATURE_ALGORITHMS = ['sha224', 'sha256', 'sha384', 'sha512'] as const;

/**
 * Bounds on what a signature tag can make us do. cosign reads at most 1000 layers of a `.sig`
 * manifest; a real one has a handful. Every layer is a signature we would try, so we try fewer.
 */
export const DEFAULT_MAX_SIGNATURES = 30;
/** Largest simple-signing payload layer read (real ones: 0.3–1 KiB). */
export const MAX_SIGNATURE_LAYER_BYTES = 256 * 1024;
/** Largest DSSE envelope layer read: an attestation may carry an SBOM (real ones: 1 KiB – a few MiB). */
export const MAX_ATTESTATION_LAYER_BYTES = 16 * 1024 * 1024;
/** Largest annotation value parsed (a certificate chain, a bundle; real ones are a few KiB). */
export const MAX_ANNOTATION_BYTES = 64 * 1024;
/** Certificates read from a chain annotation or file at most. */
export const MAX_CHAIN_CERTIFICATES = 10;
