// Builds an immutable configuration snapshot from parsed manifest files: validation, last-good fallback, content hashes.
import { createHash, X509Certificate } from 'node:crypto';
import { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE, MAX_CERTIFICATES_PER_TRUST_STORE } from './constants.js';
import type { ConfigErrorCode } from './errors.js';
import type { ManifestFile } from './manifests.js';
import { readPem } from '../pki/index.js';
import {
  trustPolicyResourceSchema,
  trustStoreResourceSchema,
  zodFieldIssues,
  type FieldIssue,
  type TrustPolicySpec,
  type TrustStoreResourceType,
} from './resources.js';
import { toErrorInfo, type CompiledPolicy, type ErrorInfo } from '../verification/index.js';

/** Where a resource was read from: file name (relative to the config source) and 0-based document index. */
export interface ResourceSource {
  file: string;
  documentIndex: number;
}

export interface TrustStoreResource {
  kind: typeof KIND_TRUST_STORE;
  /** metadata.name */
  name: string;
  type: TrustStoreResourceType;
  trustStoreName: string;
  /** `{type}:{trustStoreName}`, as trust policy statements name it. */
  reference: string;
  caBundle: string;
  /** DER certificates of caBundle, in order. */
  certificates: readonly Uint8Array[];
  source: ResourceSource;
  /** sha256 over type, name and certificates (not PEM whitespace). */
  contentHash: string;
}

export interface TrustPolicyResource {
  kind: typeof KIND_TRUST_POLICY;
  /** metadata.name */
  name: string;
  /** spec.trustPolicyName, else metadata.name: the name requests select. */
  trustPolicyName: string;
  spec: TrustPolicySpec;
  source: ResourceSource;
}

export type ConfigResource = TrustPolicyResource | TrustStoreResource;

/** The trust policy document a TrustPolicy resource carries, as JSON (trustpolicy.json shape), before notary validates it into its TrustPolicyDocument. */
export interface TrustPolicyDocumentJson {
  version: string;
  trustPolicies: TrustPolicySpec['trustPolicies'];
}

/** What a request selects by name: the policy document plus the trust stores it references. */
export interface TrustPolicyEntry {
  name: string;
  resource: TrustPolicyResource;
  document: TrustPolicyDocumentJson;
  /** Referenced trust stores that exist, by `{type}:{name}`. */
  trustStores: ReadonlyMap<string, TrustStoreResource>;
  /** Referenced trust stores no TrustStore resource provides. */
  missingTrustStores: readonly string[];
  /** sha256 over everything that decides a verification: the document and the referenced stores. */
  contentHash: string;
  /** Generation of the snapshot in which contentHash last changed. */
  generation: number;
  /** What `ConfigValidators.compileTrustPolicy` built from this entry, once per contentHash. */
  compiled?: CompiledPolicy;
  /** Why compiling failed (every verification with this policy fails with it). */
  compileError?: ErrorInfo;
}

export interface ConfigIssue {
  severity: 'error' | 'warning';
  code: ConfigErrorCode;
  file: string;
  /** 0-based index of the YAML document in the file, when the issue is about one document. */
  documentIndex?: number;
  kind?: string;
  name?: string;
  field?: string;
  message: string;
}

export interface ConfigSnapshot {
  /** Increases by one with every snapshot that differs from the one before. */
  generation: number;
  createdAt: Date;
  /** By spec.trustPolicyName (else metadata.name). */
  trustPolicies: ReadonlyMap<string, TrustPolicyEntry>;
  /** By `{type}:{trustStoreName}`. */
  trustStores: ReadonlyMap<string, TrustStoreResource>;
  /** Every resource in use, including those kept from an earlier snapshot because their new version is invalid. */
  resources: readonly ConfigResource[];
  issues: readonly ConfigIssue[];
}

/**
 * Deeper checks supplied by the Notary domain (trust policy rules of the spec, trust store
 * certificate rules). Each throws an Error whose message says what is wrong.
 */
export interface ConfigValidators {
  /** Throws when the document is invalid; may return warnings (accepted, but probably not what was meant). */
  trustPolicyDocument?(document: TrustPolicyDocumentJson, source: string): void | readonly string[];
  trustStore?(type: TrustStoreResourceType, name: string, caBundle: string, certificates: readonly Uint8Array[]): void;
  /** Build the verifier's form of a trust policy once, when the snapshot is built (kept while contentHash stays). */
  compileTrustPolicy?(entry: TrustPolicyEntry): CompiledPolicy;
}

/** `trustpolicy.yaml: document 2 (TrustPolicy "tp"): spec.version: must be "1.0"` */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file;
  if (issue.documentIndex !== undefined) where += `: document ${issue.documentIndex + 1}`;
  if (issue.kind) where += ` (${issue.kind}${issue.name ? ` ${JSON.stringify(issue.name)}` : ''})`;
  const field = issue.field ? `${issue.field}: ` : '';
  return `${where}: ${field}${issue.message}`;
}

export const EMPTY_SNAPSHOT: ConfigSnapshot = Object.freeze({
  generation: 0,
  createdAt: new Date(0),
  trustPolicies: new Map(),
  trustStores: new Map(),
  resources: [],
  issues: [],
});

function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted, so equal content hashes equally whatever the key order in YAML. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Split a PEM bundle into DER certificates; throws with a message naming the bad block. */
export function parseCertificateBundle(pem: string): Uint8Array[] {
  const certificates: Uint8Array[] = [];
  const { blocks, incomplete } = readPem(pem, MAX_CERTIFICATES_PER_TRUST_STORE);
  for (const [index, block] of blocks.entries()) {
    const number = index + 1;
    if (block.label !== block.endLabel) {
      throw new Error(`block ${number} begins as "${block.label}" but ends as "${block.endLabel}"`);
    }
    if (block.label !== 'CERTIFICATE') {
      throw new Error(`block ${number} is a "${block.label}", only CERTIFICATE blocks are allowed`);
    }
    try {
      if (!block.der) throw new Error('the block is empty or not base64');
      new X509Certificate(block.der);
    } catch (err) {
      throw new Error(`certificate ${number} is not a valid X.509 certificate: ${err instanceof Error ? err.message : String(err)}`);
    }
    certificates.push(block.der);
    if (certificates.length > MAX_CERTIFICATES_PER_TRUST_STORE) {
      throw new Error(`holds more than ${MAX_CERTIFICATES_PER_TRUST_STORE} certificates`);
    }
  }
  if (blocks.length === 0) {
    throw new Error('holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)');
  }
  if (incomplete) {
    throw new Error('holds an incomplete PEM block (a BEGIN without its END, or the reverse)');
  }
  return certificates;
}

function nameOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const name = (metadata as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function fieldOf(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

function identity(kind: string, name: string): string {
  return `${kind}/${name}`;
}

interface DocumentOutcome {
  resource?: ConfigResource;
  /** kind/name of the resource this document meant to define, when readable (for last-good fallback). */
  identity?: string;
  issues: ConfigIssue[];
}

function validateDocument(file: string, documentIndex: number, value: unknown, validators: ConfigValidators): DocumentOutcome {
  const base = { file, documentIndex };
  if (value === null || value === undefined) return { issues: [] };
  const apiVersion = fieldOf(value, 'apiVersion');
  const kind = fieldOf(value, 'kind');
  const name = nameOf(value);
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      issues: [{ ...base, severity: 'error', code: 'INVALID_RESOURCE', message: 'is not a Kubernetes resource (a YAML mapping with apiVersion, kind, metadata, spec)' }],
    };
  }
  if (kind !== KIND_TRUST_POLICY && kind !== KIND_TRUST_STORE) {
    if (apiVersion === API_VERSION) {
      return {
        issues: [{ ...base, severity: 'error', code: 'INVALID_RESOURCE', field: 'kind', message: `unknown kind ${JSON.stringify(kind)}: expected ${KIND_TRUST_POLICY} or ${KIND_TRUST_STORE}` }],
      };
    }
    // Other manifests (a ClusterPolicy kept beside the trust config, ...) are not ours to judge.
    return {
      issues: [{ ...base, severity: 'warning', code: 'INVALID_RESOURCE', message: `ignored: not a ${API_VERSION} ${KIND_TRUST_POLICY} or ${KIND_TRUST_STORE} (apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)})` }],
    };
  }
  const id = name ? identity(kind, name) : undefined;
  const fail = (issues: FieldIssue[]): DocumentOutcome => ({
    ...(id ? { identity: id } : {}),
    issues: issues.map((issue) => ({ ...base, severity: 'error', code: 'INVALID_RESOURCE', kind, ...(name ? { name } : {}), field: issue.field, message: issue.message })),
  });

  if (kind === KIND_TRUST_STORE) {
    const parsed = trustStoreResourceSchema.safeParse(value);
    if (!parsed.success) return fail(zodFieldIssues(parsed.error));
    const spec = parsed.data.spec;
    let certificates: Uint8Array[];
    try {
      certificates = parseCertificateBundle(spec.caBundle);
      validators.trustStore?.(spec.type, spec.trustStoreName, spec.caBundle, certificates);
    } catch (err) {
      return fail([{ field: 'spec.caBundle', message: err instanceof Error ? err.message : String(err) }]);
    }
    const reference = `${spec.type}:${spec.trustStoreName}`;
    const contentHash = sha256(canonicalJson({ type: spec.type, name: spec.trustStoreName, certificates: certificates.map((c) => sha256(c)) }));
    const resource: TrustStoreResource = {
      kind: KIND_TRUST_STORE,
      name: parsed.data.metadata.name,
      type: spec.type,
      trustStoreName: spec.trustStoreName,
      reference,
      caBundle: spec.caBundle,
      certificates,
      source: { file, documentIndex },
      contentHash,
    };
    return { resource, identity: identity(kind, resource.name), issues: [] };
  }

  const parsed = trustPolicyResourceSchema.safeParse(value);
  if (!parsed.success) return fail(zodFieldIssues(parsed.error));
  const spec = parsed.data.spec;
  const trustPolicyName = spec.trustPolicyName ?? parsed.data.metadata.name;
  let warnings: readonly string[] = [];
  try {
    warnings = validators.trustPolicyDocument?.({ version: spec.version, trustPolicies: spec.trustPolicies }, `${file}: document ${documentIndex + 1}`) ?? [];
  } catch (err) {
    return fail([{ field: 'spec.trustPolicies', message: err instanceof Error ? err.message : String(err) }]);
  }
  const resource: TrustPolicyResource = {
    kind: KIND_TRUST_POLICY,
    name: parsed.data.metadata.name,
    trustPolicyName,
    spec,
    source: { file, documentIndex },
  };
  const warningIssues = warnings.map(
    (message): ConfigIssue => ({ ...base, severity: 'warning', code: 'WEAK_TRUST_POLICY', kind, name: resource.name, field: 'spec.trustPolicies', message }),
  );
  return { resource, identity: identity(kind, resource.name), issues: warningIssues };
}

function referencedStores(spec: TrustPolicySpec): string[] {
  const references = new Set<string>();
  for (const statement of spec.trustPolicies) for (const reference of statement.trustStores ?? []) references.add(reference);
  return [...references].sort();
}

/**
 * Build the next snapshot from every manifest file of the source, read afresh. Pure: the
 * caller does the I/O and swaps the result in only once it is complete.
 *
 * A resource whose new version is invalid (or whose file is not valid YAML) keeps its last
 * good version from `previous`; a resource whose file or document is gone disappears.
 */
export function buildSnapshot(
  files: readonly ManifestFile[],
  previous: ConfigSnapshot,
  options: { validators?: ConfigValidators; now?: Date } = {},
): ConfigSnapshot {
  const validators = options.validators ?? {};
  const issues: ConfigIssue[] = [];
  const fresh: ConfigResource[] = [];
  const keepCandidates: ConfigResource[] = [];
  const previousById = new Map(previous.resources.map((r) => [identity(r.kind, r.name), r]));

  for (const file of [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    if (file.status === 'unreadable') {
      issues.push({ severity: 'error', code: 'MANIFEST_UNREADABLE', file: file.file, message: file.message });
      keepCandidates.push(...previous.resources.filter((r) => r.source.file === file.file));
      continue;
    }
    for (const document of file.documents) {
      const outcome = validateDocument(file.file, document.index, document.value, validators);
      issues.push(...outcome.issues);
      if (outcome.resource) {
        fresh.push(outcome.resource);
      } else if (outcome.identity) {
        const last = previousById.get(outcome.identity);
        if (last) keepCandidates.push(last);
      } else if (outcome.issues.some((i) => i.severity === 'error')) {
        // Unnamed broken document: keep whatever this very document defined before.
        keepCandidates.push(
          ...previous.resources.filter((r) => r.source.file === file.file && r.source.documentIndex === document.index),
        );
      }
    }
  }

  // Fresh resources first (in file order), then last-good ones for names nobody fresh defines.
  const byIdentity = new Map<string, ConfigResource>();
  const policyNames = new Map<string, TrustPolicyResource>();
  const storeReferences = new Map<string, TrustStoreResource>();
  const accept = (resource: ConfigResource, isFresh: boolean): void => {
    const id = identity(resource.kind, resource.name);
    const clash =
      byIdentity.get(id) ??
      (resource.kind === KIND_TRUST_POLICY ? policyNames.get(resource.trustPolicyName) : storeReferences.get(resource.reference));
    if (clash) {
      if (isFresh) {
        const what = resource.kind === KIND_TRUST_POLICY ? `trustPolicyName ${JSON.stringify(resource.trustPolicyName)}` : `trust store ${resource.reference}`;
        issues.push({
          severity: 'error',
          code: 'DUPLICATE_RESOURCE',
          file: resource.source.file,
          documentIndex: resource.source.documentIndex,
          kind: resource.kind,
          name: resource.name,
          message: `ignored: ${resource.kind} ${JSON.stringify(clash.name)} in ${clash.source.file} (document ${clash.source.documentIndex + 1}) already defines ${byIdentity.has(id) ? `metadata.name ${JSON.stringify(resource.name)}` : what}; names must be unique`,
        });
      }
      return;
    }
    byIdentity.set(id, resource);
    if (resource.kind === KIND_TRUST_POLICY) policyNames.set(resource.trustPolicyName, resource);
    else storeReferences.set(resource.reference, resource);
  };
  for (const resource of fresh) accept(resource, true);
  for (const resource of keepCandidates) accept(resource, false);

  const resources = [...byIdentity.values()];
  const generation = previous.generation + 1;
  const trustPolicies = new Map<string, TrustPolicyEntry>();
  for (const resource of policyNames.values()) {
    const stores = new Map<string, TrustStoreResource>();
    const missing: string[] = [];
    for (const reference of referencedStores(resource.spec)) {
      const store = storeReferences.get(reference);
      if (store) stores.set(reference, store);
      else missing.push(reference);
    }
    if (missing.length > 0) {
      issues.push({
        severity: 'warning',
        code: 'MISSING_TRUST_STORE',
        file: resource.source.file,
        documentIndex: resource.source.documentIndex,
        kind: KIND_TRUST_POLICY,
        name: resource.name,
        field: 'spec.trustPolicies[].trustStores',
        message: `no TrustStore resource provides ${missing.join(', ')}; verifications that need it fail until one is added`,
      });
    }
    const document: TrustPolicyDocumentJson = { version: resource.spec.version, trustPolicies: resource.spec.trustPolicies };
    const contentHash = sha256(
      canonicalJson({
        document,
        trustStores: [...stores.values()].map((s) => [s.reference, s.contentHash]),
        missing,
      }),
    );
    const before = previous.trustPolicies.get(resource.trustPolicyName);
    const entry: TrustPolicyEntry = {
      name: resource.trustPolicyName,
      resource,
      document,
      trustStores: stores,
      missingTrustStores: missing,
      contentHash,
      generation: before && before.contentHash === contentHash ? before.generation : generation,
    };
    if (before && before.contentHash === contentHash && (before.compiled || before.compileError)) {
      if (before.compiled) entry.compiled = before.compiled;
      if (before.compileError) entry.compileError = before.compileError;
    } else if (validators.compileTrustPolicy) {
      try {
        entry.compiled = validators.compileTrustPolicy(entry);
      } catch (err) {
        entry.compileError = toErrorInfo(err, 'INVALID_TRUST_POLICY');
      }
    }
    trustPolicies.set(resource.trustPolicyName, entry);
  }

  return Object.freeze({
    generation,
    createdAt: options.now ?? new Date(),
    trustPolicies,
    trustStores: storeReferences,
    resources,
    issues,
  });
}
