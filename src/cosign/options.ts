// What a cosign verification is asked to check: Kyverno's verifyImages attestor fields, cosign's flags.
import type { SIGNATURE_ALGORITHMS } from './constants.js';

export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** A keyless identity: Kyverno's `keyless` attestor, cosign's `--certificate-identity…` flags. */
export interface KeylessIdentity {
  /** The certificate's SAN (email, URI or othername), `*` wildcards as Kyverno matches them. */
  subject?: string;
  subjectRegExp?: string;
  /** The OIDC issuer from Fulcio's issuer extensions (`1.3.6.1.4.1.57264.1.1` and `.1.8`). */
  issuer?: string;
  issuerRegExp?: string;
  /** Fulcio extensions by name (githubWorkflowTrigger, …) or OID, each required string-equal. */
  additionalExtensions?: Record<string, string>;
  /** PEM roots instead of the trusted root's Fulcio CAs (Kyverno `roots`). */
  roots?: string;
}

/** Kyverno's `rekor` block, cosign's `--rekor-public-key` / `--insecure-ignore-tlog`. */
export interface RekorOptions {
  /** Only for cosign compatibility: imgverify never looks a signature up online. */
  url?: string;
  /** PEM public key(s) of the log: a SET is verified with the key whose logID it names. */
  pubKey?: string;
  /** Accept signatures without a (valid) transparency log entry. */
  ignoreTlog?: boolean;
}

/** Kyverno's `ctlog` block, cosign's `--ctlog-public-key` / `--insecure-ignore-sct`. */
export interface CtlogOptions {
  /** PEM public key(s) of the certificate transparency log. */
  pubKey?: string;
  ignoreSCT?: boolean;
}

export interface CosignVerifyOptions {
  /** PEM public keys; a signature verifies with any of them (Kyverno `publicKeys` split into blocks). */
  keys?: string[];
  /** The hash of key-based signatures (default sha256). */
  signatureAlgorithm?: SignatureAlgorithm;
  /** PEM leaf certificate: its key verifies; without `certificateChain` it is not chained. */
  certificate?: string;
  /** PEM intermediates and root (last): the signature's certificate must chain to the root. */
  certificateChain?: string;
  keyless?: KeylessIdentity;
  rekor?: RekorOptions;
  ctlog?: CtlogOptions;
  /** Annotations the simple-signing payload's `optional` must carry, string-equal (cosign `-a`, Kyverno `annotations`). */
  annotations?: Record<string, string>;
  /** `registry/repository` holding the signatures instead of the image's (COSIGN_REPOSITORY, Kyverno `repository`). */
  repository?: string;
  /** A trusted_root.json (its text) instead of the embedded public-good root, for keyless and tlog keys. */
  trustedRoot?: string;
  /**
   * Which signatures count: every format cosign 2 reads (Sigstore bundle referrers, else the legacy tags;
   * the default), or only bundle referrers (Kyverno's `type: SigstoreBundle`).
   */
  formats?: 'all' | 'bundles';
  /** Signature layers tried at most (default DEFAULT_MAX_SIGNATURES). */
  maxSignatures?: number;
  /** The time certificates are judged at when no tlog or TSA time is there (default: now; tests). */
  now?: Date;
}

export interface CosignAttestationOptions extends CosignVerifyOptions {
  /** Only attestations of this predicate type (cosign `--type` after its aliases); none: every type. */
  predicateType?: string;
}
