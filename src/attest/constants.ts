// Limits and media types of attestation discovery and evaluation.

/** Largest attestation layer read (compressed as stored, and once decompressed): an SBOM of a large image is a few MiB. */
export const MAX_ATTESTATION_BYTES = 16 * 1024 * 1024;
/** Deepest JSON nesting accepted in an attestation (CycloneDX and SPDX documents nest about ten levels). */
export const MAX_ATTESTATION_JSON_DEPTH = 128;
/** YAML aliases accepted in one attestation (a billion-laughs document expands without bound). */
export const MAX_YAML_ALIASES = 100;
/**
 * Attestations of one type whose signatures are tried, newest first, before the type counts as
 * not signed by a trusted signer (the referrers listing itself is bounded by the registry client).
 */
export const MAX_ATTESTATION_CANDIDATES = 10;

/** Attestation types one image may be required to have (each is a listing filter and up to MAX_ATTESTATION_CANDIDATES verifications). */
export const MAX_REQUIRED_TYPES = 64;

/** The in-toto statement `_type`s (v0.1 and v1) whose `predicate` is what conditions see. */
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'];
/** The context key under which the evaluated document is reachable besides the root. */
export const ELEMENT_KEY = 'element';

/** Layer media types read as YAML; every other one is read as JSON. */
export const YAML_MEDIA_TYPE = /(?:^|[/+.])(?:x-)?ya?ml$/i;
/** Layer media types that say the content is gzip-compressed (the bytes are also sniffed, as go-containerregistry does). */
export const GZIP_MEDIA_TYPE = /[+.]gzip$/i;
/** The first bytes of a gzip stream. */
export const GZIP_MAGIC: readonly number[] = [0x1f, 0x8b];
