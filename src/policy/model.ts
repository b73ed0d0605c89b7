// Kyverno's ClusterPolicy/Policy (kyverno.io/v1, v2beta1) as typed values, the verifyImages subset in full, defaults applied.
import type { AnyAllConditions } from '../conditions/index.js';
import type { CtlogOptions as CosignCtlogOptions, RekorOptions } from '../cosign/index.js';

export type FailureAction = 'Enforce' | 'Audit';
export type FailurePolicy = 'Fail' | 'Ignore';
export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelSelectorRequirement[];
}

/** kyverno.io/v1 ResourceDescription. */
export interface ResourceDescription {
  kinds: string[];
  names: string[];
  namespaces: string[];
  annotations?: Record<string, string>;
  selector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  operations: Operation[];
}

export interface UserInfoFilter {
  roles: string[];
  clusterRoles: string[];
  subjects: { kind: string; name: string; namespace?: string }[];
}

/** One entry of `any`/`all` (ResourceFilter): resources plus user info. */
export interface ResourceFilter extends UserInfoFilter {
  resources: ResourceDescription;
}

/** match / exclude: `any` (one filter suffices), `all` (every filter), or the legacy form (one filter, all of it). */
export interface MatchResources {
  any: ResourceFilter[];
  all: ResourceFilter[];
}

/** Kyverno's `rekor` block is cosign's options, as written. */
export type { RekorOptions };

/** Kyverno's `ctlog` block: cosign's options and the TSA chain Kyverno keeps there. */
export interface CtlogOptions extends CosignCtlogOptions {
  tsaCertChain?: string;
}

export interface KeysAttestor {
  publicKeys?: string;
  secret?: { name: string; namespace: string };
  kms?: string;
  signatureAlgorithm: string;
  rekor?: RekorOptions;
  ctlog?: CtlogOptions;
}

export interface CertificatesAttestor {
  cert?: string;
  certChain?: string;
  rekor?: RekorOptions;
  ctlog?: CtlogOptions;
}

export interface KeylessAttestor {
  subject?: string;
  subjectRegExp?: string;
  issuer?: string;
  issuerRegExp?: string;
  roots?: string;
  additionalExtensions?: Record<string, string>;
  rekor?: RekorOptions;
  ctlog?: CtlogOptions;
}

/** One attestor entry: exactly one of keys, certificates, keyless, or a nested attestor set. */
export interface Attestor {
  keys?: KeysAttestor;
  certificates?: CertificatesAttestor;
  keyless?: KeylessAttestor;
  attestor?: AttestorSet;
  repository?: string;
  annotations?: Record<string, string>;
}

export interface AttestorSet {
  /** How many entries must verify; absent: all of them. */
  count?: number;
  entries: Attestor[];
}

export interface Attestation {
  /** `type`, else the deprecated `predicateType`. */
  type: string;
  name?: string;
  attestors: AttestorSet[];
  conditions: AnyAllConditions[];
}

export type SignatureType = 'Cosign' | 'Notary' | 'SigstoreBundle';

/** One verifyImages entry after the legacy form (`image`, `key`, `roots`, `subject`, `issuer`) is converted. */
export interface ImageVerification {
  type: SignatureType;
  imageReferences: string[];
  skipImageReferences: string[];
  attestors: AttestorSet[];
  attestations: Attestation[];
  repository?: string;
  mutateDigest: boolean;
  verifyDigest: boolean;
  required: boolean;
  useCache: boolean;
  failureAction?: FailureAction;
  imageRegistryCredentials?: { allowInsecureRegistry: boolean; providers: string[]; secrets: string[] };
}

/** kyverno.io/v1 ImageExtractorConfig. */
export interface ImageExtractor {
  path: string;
  value?: string;
  name?: string;
  key?: string;
  jmesPath?: string;
}

export interface Rule {
  name: string;
  match: MatchResources;
  exclude?: MatchResources;
  /** By kind (`Pod`, `TaskRun`, …). */
  imageExtractors: Record<string, ImageExtractor[]>;
  verifyImages: ImageVerification[];
  /** The rule has validate/mutate/generate parts this engine does not run (reported as issues, never silently passed). */
  otherTypes: string[];
}

export interface CompiledKyvernoPolicy {
  kind: 'ClusterPolicy' | 'Policy';
  apiVersion: string;
  name: string;
  /** A namespaced Policy's namespace (it only applies to resources there). */
  namespace?: string;
  annotations: Record<string, string>;
  validationFailureAction: FailureAction;
  failurePolicy: FailurePolicy;
  webhookTimeoutSeconds: number;
  background: boolean;
  /** The rules as written, then the autogen rules for pod controllers. */
  rules: Rule[];
  /** Where the policy was read from. */
  origin: string;
}

/** Kyverno's defaults (api/kyverno/v1 and the webhook configuration). */
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;
export const MAX_WEBHOOK_TIMEOUT_SECONDS = 30;
export const DEFAULT_SIGNATURE_ALGORITHM = 'sha256';
