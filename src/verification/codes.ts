// Every error code of every domain in one table: what each code means for caching, exit codes and callers (as fastify's lib/errors.js).

/** What a code says beyond its name. */
export interface CodeInfo {
  /** The domain whose error class carries the code (its `errors.ts` union). */
  readonly domain: 'reference' | 'oci' | 'pki' | 'notary' | 'aws' | 'attest' | 'config' | 'kubernetes' | 'service' | 'cli' | 'conditions' | 'cosign' | 'policy' | 'webhook' | 'sigstore';
  /** "Could not find out now", not "not trusted": a verdict with it is never cached and is retried next time. */
  readonly transient: boolean;
  /** The input or the configuration is wrong, not the image: the CLI exits 2 (else 1). */
  readonly usage: boolean;
  /**
   * When signing, the signer's own key, certificate or chosen format is wrong (exit 2), though
   * the same code in a verification is a failed verification of someone else's signature (exit 1).
   */
  readonly usageWhenSigning: boolean;
}

const fact = <D extends CodeInfo['domain']>(domain: D, flags: Partial<Omit<CodeInfo, 'domain'>> = {}): CodeInfo & { readonly domain: D } => ({
  domain,
  transient: flags.transient ?? false,
  usage: flags.usage ?? false,
  usageWhenSigning: flags.usageWhenSigning ?? flags.usage ?? false,
});

/**
 * One row per code. The domains' unions (ReferenceErrorCode, OciErrorCode, PkiErrorCode, NotaryErrorCode, AwsErrorCode,
 * AttestErrorCode, ConfigErrorCode, KubernetesErrorCode, ServiceErrorCode, CliErrorCode, ConditionsErrorCode, CosignErrorCode, PolicyErrorCode) must each equal this table's rows of their
 * domain; test/verification/codes.test.ts checks that at compile time, so this leaf imports none of them.
 */
export const CODE_INFO = {
  // reference
  INVALID_REFERENCE: fact('reference', { usage: true }),

  // oci
  MANIFEST_NOT_FOUND: fact('oci'),
  BLOB_NOT_FOUND: fact('oci'),
  DIGEST_MISMATCH: fact('oci'),
  SIZE_LIMIT_EXCEEDED: fact('oci'),
  REGISTRY_UNAVAILABLE: fact('oci', { transient: true }),
  // Transient to the service (a rotated pull secret mends it); the CLI exits 2 for it (src/cli/options.ts CLI_EXIT_CODES).
  UNAUTHORIZED: fact('oci', { transient: true }),
  INVALID_MANIFEST: fact('oci'),
  UNSUPPORTED_MEDIA_TYPE: fact('oci'),
  INVALID_LAYOUT: fact('oci', { usage: true }),
  CREDENTIALS_UNAVAILABLE: fact('oci', { transient: true, usage: true }),
  TIMEOUT: fact('oci', { transient: true }),
  ABORTED: fact('oci', { transient: true }),
  REGISTRY_ERROR: fact('oci'),
  INVALID_ARGUMENT: fact('oci', { usage: true }),

  // pki: X.509, RFC 3161 and OCSP/CRL; notary's certificate and timestamp rules fail with these codes too (same meaning)
  INVALID_CERTIFICATE: fact('pki'),
  INVALID_CERTIFICATE_CHAIN: fact('pki', { usageWhenSigning: true }),
  CERTIFICATE_EXPIRED: fact('pki', { usageWhenSigning: true }),
  INVALID_TIMESTAMP: fact('pki'),
  UNTRUSTED_TIMESTAMP: fact('pki'),
  TIMESTAMP_UNAVAILABLE: fact('pki'),
  CERTIFICATE_REVOKED: fact('pki'),
  REVOCATION_UNKNOWN: fact('pki', { transient: true }),

  // notary
  SIGNATURE_NOT_FOUND: fact('notary'),
  MALFORMED_SIGNATURE: fact('notary'),
  UNSUPPORTED_SIGNATURE_FORMAT: fact('notary', { usageWhenSigning: true }),
  UNSUPPORTED_ALGORITHM: fact('notary', { usageWhenSigning: true }),
  INVALID_SIGNATURE: fact('notary'),
  UNKNOWN_CRITICAL_ATTRIBUTE: fact('notary'),
  TARGET_ARTIFACT_MISMATCH: fact('notary'),
  UNTRUSTED_SIGNER: fact('notary'),
  UNTRUSTED_IDENTITY: fact('notary'),
  SIGNATURE_EXPIRED: fact('notary'),
  TIMESTAMP_MISSING: fact('notary'),
  INVALID_TRUST_POLICY: fact('notary', { usage: true }),
  NO_APPLICABLE_TRUST_POLICY: fact('notary'),
  INVALID_TRUST_STORE: fact('notary', { usage: true }),
  PLUGIN_REQUIRED: fact('notary'),
  USER_METADATA_MISMATCH: fact('notary'),
  INVALID_INPUT: fact('notary', { usage: true }),
  VERIFICATION_TIMEOUT: fact('notary', { transient: true }),
  PLUGIN_ERROR: fact('notary'),
  SIGNATURE_LIMIT_EXCEEDED: fact('notary'),
  /** Transient: a verdict must not rest on a limit that the next configuration may raise. */
  WORK_BUDGET_EXCEEDED: fact('notary', { transient: true }),
  /** Also the code of every failure that is not one of ours (a bug, a Node errno error): verification fails closed. */
  INTERNAL_ERROR: fact('notary'),

  // aws
  AWS_SIGNER_INVALID_REQUEST: fact('aws'),
  AWS_KMS_INVALID_KEY: fact('aws', { usage: true }),
  AWS_KMS_KEY_UNAVAILABLE: fact('aws', { transient: true }),

  // attest
  ATTESTATION_NOT_FOUND: fact('attest'),
  ATTESTATION_UNTRUSTED: fact('attest'),
  ATTESTATION_CONDITIONS_FAILED: fact('attest'),
  INVALID_ATTESTATION: fact('attest'),

  // config
  CONFIG_DIR_UNREADABLE: fact('config'),
  CONFIG_SOURCE_UNREADABLE: fact('config'),
  MANIFEST_UNREADABLE: fact('config'),
  INVALID_RESOURCE: fact('config'),
  DUPLICATE_RESOURCE: fact('config'),
  MISSING_TRUST_STORE: fact('config'),
  WEAK_TRUST_POLICY: fact('config'),

  // kubernetes
  KUBECONFIG_UNAVAILABLE: fact('kubernetes'),
  KUBERNETES_API_ERROR: fact('kubernetes', { transient: true }),
  INVALID_KUBERNETES_OBJECT: fact('kubernetes'),
  INVALID_KUBERNETES_OPTION: fact('kubernetes', { usage: true }),

  // service
  INVALID_OPTION: fact('service'),
  KUBERNETES_REQUIRED: fact('service'),
  INVALID_TLS: fact('service'),
  INVALID_PULL_SECRET: fact('service'),
  LISTEN_FAILED: fact('service'),

  // cli
  USAGE: fact('cli', { usage: true }),

  // conditions: the policy's conditions are wrong (usage), or cannot be evaluated on the document at hand
  CONDITION_INVALID: fact('conditions', { usage: true }),
  JMESPATH_INVALID: fact('conditions', { usage: true }),
  JMESPATH_FUNCTION_FAILED: fact('conditions'),
  JMESPATH_NOT_FOUND: fact('conditions'),
  CONDITIONS_LIMIT_EXCEEDED: fact('conditions'),

  // policy: Kyverno policies, resources and test suites given to the engine
  POLICY_INVALID: fact('policy', { usage: true }),
  POLICY_RESOURCE_INVALID: fact('policy', { usage: true }),
  VERIFIER_UNAVAILABLE: fact('policy'),

  // webhook: a request we cannot read is the caller's error; no answer in time is "could not find out now"
  INVALID_ADMISSION_REVIEW: fact('webhook', { usage: true }),
  ADMISSION_TIMEOUT: fact('webhook', { transient: true }),
  ADMISSION_FAILED: fact('webhook', { transient: true }),
  INVALID_POLICY_DOCUMENT: fact('webhook', { usage: true }),
  // sigstore: trusted roots, Fulcio certificates, transparency logs (Rekor, CT), bundles; it also throws
  // the notary codes that mean the same (UNTRUSTED_IDENTITY, INVALID_CERTIFICATE_CHAIN, CERTIFICATE_EXPIRED, …)
  TRUSTED_ROOT_INVALID: fact('sigstore', { usage: true }),
  TRUSTED_ROOT_UNAVAILABLE: fact('sigstore', { transient: true }),
  SIGSTORE_POLICY_INVALID: fact('sigstore', { usage: true }),
  CERTIFICATE_USAGE_INVALID: fact('sigstore'),
  SCT_MISSING: fact('sigstore'),
  SCT_INVALID: fact('sigstore'),
  /** The transparency log is required but the signature carries no log entry (never looked up online). */
  TLOG_ENTRY_MISSING: fact('sigstore'),
  /** The log entry's body is about another signature, key, certificate or payload (e.g. a Rekor bundle copied from another signature). */
  TLOG_ENTRY_MISMATCH: fact('sigstore'),
  /** No trusted log key has the entry's logID. */
  TLOG_KEY_UNKNOWN: fact('sigstore'),
  /** The SignedEntryTimestamp does not verify with the log's key. */
  TLOG_SET_INVALID: fact('sigstore'),
  TLOG_INCLUSION_PROOF_INVALID: fact('sigstore'),
  BUNDLE_INVALID: fact('sigstore'),

  // cosign: its own failures; it also throws the notary and sigstore codes that mean the same (see src/cosign/errors.ts)
  /** A cosign feature imgverify does not do (yet): the verification fails closed and says which. */
  COSIGN_UNSUPPORTED: fact('cosign', { usage: true }),
} as const satisfies Record<string, CodeInfo>;

/** Every stable error code: the union of the domains' code unions. */
export type ErrorCode = keyof typeof CODE_INFO;

/** The codes of one domain, as the table lists them. */
export type DomainErrorCode<D extends CodeInfo['domain']> = {
  [K in ErrorCode]: (typeof CODE_INFO)[K]['domain'] extends D ? K : never;
}[ErrorCode];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(CODE_INFO, value);
}

export function codeInfo(code: ErrorCode): CodeInfo {
  return CODE_INFO[code];
}
