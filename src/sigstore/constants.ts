// Named constants of the Sigstore domain: Fulcio's certificate extension OIDs and names, media types, and the bounds on untrusted input.

/** Media type of a trusted_root.json document (protobuf-specs TrustedRoot). */
export const TRUSTED_ROOT_MEDIA_TYPE_PREFIX = 'application/vnd.dev.sigstore.trustedroot';

/** Public-good TUF repository, as @sigstore/tuf and cosign name it; only used when a caller asks for TUF. */
export const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** The TUF target that holds the trusted root. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** Largest trusted_root.json we read (the public-good one is ~8 KiB). */
export const MAX_TRUSTED_ROOT_BYTES = 1024 * 1024;

/** Largest Sigstore bundle we parse (cosign's bundles are a few KiB; DSSE payloads can be larger). */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

/** Most certificates in a chain given beside a leaf (the cosign `chain` annotation, a bundle's chain). */
export const MAX_CHAIN_CERTIFICATES = 10;

/** Longest identity regular expression accepted from a policy (RE2 is linear, this bounds compile time). */
export const MAX_IDENTITY_PATTERN_LENGTH = 4096;

/** Time allowed to refresh a TUF repository when one is asked for. */
export const TUF_TIMEOUT_MS = 30_000;

/** X.509 extended key usage: code signing (RFC 5280 4.2.1.12). */
export const OID_EKU_CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
/** X.509 extended key usage: any. */
export const OID_EKU_ANY = '2.5.29.37.0';

/** Fulcio's OID arc (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md). */
export const OID_FULCIO = '1.3.6.1.4.1.57264.1';
/** Fulcio v1 issuer extension: the raw OIDC issuer bytes (deprecated, still written). */
export const OID_FULCIO_ISSUER_V1 = `${OID_FULCIO}.1`;
/** Fulcio v2 issuer extension: a DER UTF8String. */
export const OID_FULCIO_ISSUER_V2 = `${OID_FULCIO}.8`;
/** Fulcio's otherName SAN (a username), a DER UTF8String. */
export const OID_FULCIO_OTHERNAME_SAN = `${OID_FULCIO}.7`;

/**
 * Names of Fulcio's extensions as policies write them: the v1 GitHub names of cosign's CertExtensionMap
 * (Kyverno's `additionalExtensions` keys) and the v2 names of sigstore-go's certificate.Extensions.
 * v1 values (OIDs .1–.6) are raw bytes; v2 values (.8 and up) are DER UTF8Strings.
 */
export const FULCIO_EXTENSION_OIDS: Readonly<Record<string, string>> = {
  oidcIssuer: `${OID_FULCIO}.1`,
  githubWorkflowTrigger: `${OID_FULCIO}.2`,
  githubWorkflowSha: `${OID_FULCIO}.3`,
  githubWorkflowName: `${OID_FULCIO}.4`,
  githubWorkflowRepository: `${OID_FULCIO}.5`,
  githubWorkflowRef: `${OID_FULCIO}.6`,
  issuer: `${OID_FULCIO}.8`,
  buildSignerURI: `${OID_FULCIO}.9`,
  buildSignerDigest: `${OID_FULCIO}.10`,
  runnerEnvironment: `${OID_FULCIO}.11`,
  sourceRepositoryURI: `${OID_FULCIO}.12`,
  sourceRepositoryDigest: `${OID_FULCIO}.13`,
  sourceRepositoryRef: `${OID_FULCIO}.14`,
  sourceRepositoryIdentifier: `${OID_FULCIO}.15`,
  sourceRepositoryOwnerURI: `${OID_FULCIO}.16`,
  sourceRepositoryOwnerIdentifier: `${OID_FULCIO}.17`,
  buildConfigURI: `${OID_FULCIO}.18`,
  buildConfigDigest: `${OID_FULCIO}.19`,
  buildTrigger: `${OID_FULCIO}.20`,
  runInvocationURI: `${OID_FULCIO}.21`,
  sourceRepositoryVisibilityAtSigning: `${OID_FULCIO}.22`,
};

/** The v1 extensions whose value is the raw string, not DER. */
export const FULCIO_RAW_VALUE_OIDS: ReadonlySet<string> = new Set([1, 2, 3, 4, 5, 6].map((n) => `${OID_FULCIO}.${n}`));
