// The kind registry: for each resource kind, its schema, how a checked document becomes a resource, and the names it claims.
import { X509Certificate } from 'node:crypto';
import type { z } from 'zod';
import { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE, MAX_CERTIFICATES_PER_TRUST_STORE } from './constants.js';
import { formatOrigin, type ResourceOrigin } from './origin.js';
import {
  trustPolicyResourceSchema,
  trustStoreResourceSchema,
  zodFieldIssues,
  type FieldIssue,
  type TrustPolicySpec,
  type TrustStoreResourceType,
} from './resources.js';
import { readPem } from '../pki/index.js';
import type { CompiledPolicy, ErrorInfo } from '../verification/index.js';
import { hexDigest } from '../common/hash.js';

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
  origin: ResourceOrigin;
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
  origin: ResourceOrigin;
}

export type ConfigResource = TrustPolicyResource | TrustStoreResource;

/** The trust policy document a TrustPolicy resource carries, as JSON (trustpolicy.json shape), before a verifier compiles it. */
export interface TrustPolicyDocumentJson {
  version: string;
  trustPolicies: TrustPolicySpec['trustPolicies'];
}

/** What a request selects by name: the policy document plus the trust stores it references, compiled once. */
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

/**
 * The hooks of the kinds, supplied by the domains that know the rules (config does not import
 * notary): deeper checks when a resource is read, each throwing an Error whose message says what
 * is wrong, and the compile step of a trust policy entry.
 */
export interface ConfigValidators {
  /**
   * Throws when the document is invalid (an error with `field` and `problem`, as DocumentFinding,
   * is named at that field); may return warnings (accepted, but probably not what was meant).
   */
  trustPolicyDocument?(document: TrustPolicyDocumentJson, source: string): void | readonly DocumentFinding[];
  trustStore?(type: TrustStoreResourceType, name: string, caBundle: string, certificates: readonly Uint8Array[]): void;
  /** Build the verifier's form of a trust policy once, when the snapshot is built (kept while contentHash stays). */
  /** `type:name` of stores the verifier has built in (AWS Signer's roots): naming one without a resource is no warning. */
  builtinTrustStores?: readonly string[];
  compileTrustPolicy?(entry: TrustPolicyEntry): CompiledPolicy;
}

/** What a validator found at one place of a trust policy document: `field`, the JSON path in it (`trustPolicies[1].registryScopes[0]`; empty for the document itself), and the bare `problem`. */
export interface DocumentFinding {
  field: string;
  problem: string;
}

/** A finding in the document as an issue of the TrustPolicy resource, whose `spec` holds the document. */
function specIssue({ field, problem }: DocumentFinding): FieldIssue {
  return { field: field === '' ? 'spec' : `spec.${field}`, message: problem };
}

/** A kind's verdict on one document its schema was given: the resource (maybe with warnings), or what is wrong. */
export type KindOutcome<R> = { resource: R; warnings: FieldIssue[] } | { issues: FieldIssue[] };

/**
 * One entry of the registry. `metadata.name` is unique per kind (the identity); `claim` is the
 * second name a resource answers to (what requests or policies select it by), also unique.
 */
export interface ResourceKind<R extends ConfigResource = ConfigResource> {
  readonly kind: R['kind'];
  readonly apiVersion: string;
  /** zod schema of the whole resource (apiVersion, kind, metadata, spec): also the source of the JSON Schema. */
  readonly schema: z.ZodType;
  build(value: unknown, origin: ResourceOrigin, hooks: ConfigValidators): KindOutcome<R>;
  claim(resource: R): { key: string; description: string };
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

export function contentHashOf(value: unknown): string {
  return hexDigest('sha256', canonicalJson(value));
}

/** Split a TrustStore's caBundle into DER certificates; throws with a message naming the bad block. */
function splitCaBundle(pem: string): Uint8Array[] {
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

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const trustStoreKind: ResourceKind<TrustStoreResource> = {
  kind: KIND_TRUST_STORE,
  apiVersion: API_VERSION,
  schema: trustStoreResourceSchema,
  build(value, origin, hooks) {
    const parsed = trustStoreResourceSchema.safeParse(value);
    if (!parsed.success) return { issues: zodFieldIssues(parsed.error) };
    const spec = parsed.data.spec;
    let certificates: Uint8Array[];
    try {
      certificates = splitCaBundle(spec.caBundle);
      hooks.trustStore?.(spec.type, spec.trustStoreName, spec.caBundle, certificates);
    } catch (err) {
      return { issues: [{ field: 'spec.caBundle', message: messageOf(err) }] };
    }
    const resource: TrustStoreResource = {
      kind: KIND_TRUST_STORE,
      name: parsed.data.metadata.name,
      type: spec.type,
      trustStoreName: spec.trustStoreName,
      reference: `${spec.type}:${spec.trustStoreName}`,
      caBundle: spec.caBundle,
      certificates,
      origin,
      contentHash: contentHashOf({ type: spec.type, name: spec.trustStoreName, certificates: certificates.map((c) => hexDigest('sha256', c)) }),
    };
    return { resource, warnings: [] };
  },
  claim: (resource) => ({ key: resource.reference, description: `trust store ${resource.reference}` }),
};

const trustPolicyKind: ResourceKind<TrustPolicyResource> = {
  kind: KIND_TRUST_POLICY,
  apiVersion: API_VERSION,
  schema: trustPolicyResourceSchema,
  build(value, origin, hooks) {
    const parsed = trustPolicyResourceSchema.safeParse(value);
    if (!parsed.success) return { issues: zodFieldIssues(parsed.error) };
    const spec = parsed.data.spec;
    let warnings: readonly DocumentFinding[] = [];
    try {
      warnings = hooks.trustPolicyDocument?.({ version: spec.version, trustPolicies: spec.trustPolicies }, formatOrigin(origin)) ?? [];
    } catch (err) {
      // A validator that says where (`field`, the path in the document, and the bare `problem`) is named exactly, without its own prefix.
      const { field, problem } = (err ?? {}) as { field?: unknown; problem?: unknown };
      if (typeof field === 'string' && typeof problem === 'string') return { issues: [specIssue({ field, problem })] };
      return { issues: [{ field: 'spec.trustPolicies', message: messageOf(err) }] };
    }
    const resource: TrustPolicyResource = {
      kind: KIND_TRUST_POLICY,
      name: parsed.data.metadata.name,
      trustPolicyName: spec.trustPolicyName ?? parsed.data.metadata.name,
      spec,
      origin,
    };
    return { resource, warnings: warnings.map(specIssue) };
  },
  claim: (resource) => ({ key: resource.trustPolicyName, description: `trustPolicyName ${JSON.stringify(resource.trustPolicyName)}` }),
};

/** Every kind this service reads, by `kind`. A new kind is one entry here (and its resource type in ConfigResource). */
export const RESOURCE_KINDS: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  [KIND_TRUST_POLICY, trustPolicyKind],
  [KIND_TRUST_STORE, trustStoreKind],
]);

/** `TrustPolicy/name`: unique per kind. */
export function resourceIdentity(resource: { kind: string; name: string }): string {
  return `${resource.kind}/${resource.name}`;
}
