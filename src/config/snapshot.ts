// Builds an immutable configuration snapshot from what a source read: validation by kind, last-good fallback, compiled entries.
import { KIND_TRUST_POLICY } from './constants.js';
import type { ConfigErrorCode } from './errors.js';
import {
  contentHashOf,
  RESOURCE_KINDS,
  resourceIdentity,
  type ConfigResource,
  type ConfigValidators,
  type ResourceKind,
  type TrustPolicyDocumentJson,
  type TrustPolicyEntry,
  type TrustPolicyResource,
  type TrustStoreResource,
} from './kinds.js';
import { formatOrigin, originKey, originPhrase, unitKey, type ResourceOrigin, type SourceUnit } from './origin.js';
import type { FieldIssue, TrustPolicySpec } from './resources.js';
import { toErrorInfo } from '../verification/index.js';

export interface ConfigIssue {
  severity: 'error' | 'warning';
  code: ConfigErrorCode;
  /** The resource, document, unit or source the issue is about. */
  origin: ResourceOrigin;
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

/** `trustpolicy.yaml: document 2 (TrustPolicy "tp"): spec.version: must be "1.0"` */
export function formatIssue(issue: ConfigIssue): string {
  let where = formatOrigin(issue.origin);
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

function nameOf(value: unknown): string | undefined {
  const metadata = fieldOf(value, 'metadata');
  const name = fieldOf(metadata, 'name');
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function fieldOf(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

interface DocumentOutcome {
  resource?: ConfigResource;
  /** kind/name of the resource this document meant to define, when readable (for last-good fallback). */
  identity?: string;
  issues: ConfigIssue[];
}

function validateDocument(origin: ResourceOrigin, value: unknown, kinds: ReadonlyMap<string, ResourceKind>, validators: ConfigValidators): DocumentOutcome {
  if (value === null || value === undefined) return { issues: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return {
      issues: [{ origin, severity: 'error', code: 'INVALID_RESOURCE', message: 'is not a Kubernetes resource (a YAML mapping with apiVersion, kind, metadata, spec)' }],
    };
  }
  const apiVersion = fieldOf(value, 'apiVersion');
  const kind = fieldOf(value, 'kind');
  const definition = typeof kind === 'string' ? kinds.get(kind) : undefined;
  if (!definition) {
    const known = [...kinds.values()];
    const names = known.map((k) => k.kind).join(' or ');
    if (known.some((k) => k.apiVersion === apiVersion)) {
      return {
        issues: [{ origin, severity: 'error', code: 'INVALID_RESOURCE', field: 'kind', message: `unknown kind ${JSON.stringify(kind)}: expected ${names}` }],
      };
    }
    // Other manifests (a ClusterPolicy kept beside the trust config, ...) are not ours to judge.
    const groups = [...new Set(known.map((k) => k.apiVersion))].join(' or ');
    return {
      issues: [{ origin, severity: 'warning', code: 'INVALID_RESOURCE', message: `ignored: not a ${groups} ${names} (apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)})` }],
    };
  }
  const name = nameOf(value);
  const about = { origin, kind: definition.kind, ...(name ? { name } : {}) };
  const issuesOf = (list: FieldIssue[], severity: ConfigIssue['severity'], code: ConfigErrorCode): ConfigIssue[] =>
    list.map((issue) => ({ ...about, severity, code, field: issue.field, message: issue.message }));
  const outcome = definition.build(value, origin, validators);
  if ('issues' in outcome) {
    return { ...(name ? { identity: resourceIdentity({ kind: definition.kind, name }) } : {}), issues: issuesOf(outcome.issues, 'error', 'INVALID_RESOURCE') };
  }
  const resource = outcome.resource;
  return {
    resource,
    identity: resourceIdentity(resource),
    issues: issuesOf(outcome.warnings, 'warning', 'WEAK_TRUST_POLICY').map((issue) => ({ ...issue, name: resource.name })),
  };
}

function referencedStores(spec: TrustPolicySpec): string[] {
  const references = new Set<string>();
  for (const statement of spec.trustPolicies) for (const reference of statement.trustStores ?? []) references.add(reference);
  return [...references].sort();
}

/** Where `reference` is first named, as the other issues of the resource are located: `spec.trustPolicies[1].trustStores[0]`. */
function trustStoreField(spec: TrustPolicySpec, reference: string): string {
  for (const [index, statement] of spec.trustPolicies.entries()) {
    const position = (statement.trustStores ?? []).indexOf(reference);
    if (position >= 0) return `spec.trustPolicies[${index}].trustStores[${position}]`;
  }
  return 'spec.trustPolicies';
}

export interface BuildSnapshotOptions {
  validators?: ConfigValidators;
  /** The kinds read (default RESOURCE_KINDS). */
  kinds?: ReadonlyMap<string, ResourceKind>;
  now?: Date;
}

/**
 * Build the next snapshot from every unit of the source, read afresh. Pure: the caller does
 * the I/O and swaps the result in only once it is complete.
 *
 * A resource whose new version is invalid (or whose unit cannot be read) keeps its last good
 * version from `previous`; a resource whose unit or document is gone disappears.
 */
export function buildSnapshot(units: readonly SourceUnit[], previous: ConfigSnapshot, options: BuildSnapshotOptions = {}): ConfigSnapshot {
  const validators = options.validators ?? {};
  const kinds = options.kinds ?? RESOURCE_KINDS;
  const issues: ConfigIssue[] = [];
  const fresh: ConfigResource[] = [];
  const keepCandidates: ConfigResource[] = [];
  const previousById = new Map(previous.resources.map((r) => [resourceIdentity(r), r]));

  const ordered = units.map((unit) => ({ unit, key: unitKey(unit.origin) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { unit, key } of ordered) {
    if (unit.status === 'unreadable') {
      issues.push({ severity: 'error', code: 'MANIFEST_UNREADABLE', origin: unit.origin, message: unit.message });
      keepCandidates.push(...previous.resources.filter((r) => unitKey(r.origin) === key));
      continue;
    }
    for (const document of unit.documents) {
      const outcome = validateDocument(document.origin, document.value, kinds, validators);
      issues.push(...outcome.issues);
      if (outcome.resource) {
        fresh.push(outcome.resource);
      } else if (outcome.identity) {
        const last = previousById.get(outcome.identity);
        if (last) keepCandidates.push(last);
      } else if (outcome.issues.some((i) => i.severity === 'error')) {
        // Unnamed broken document: keep whatever this very document defined before.
        const here = originKey(document.origin);
        keepCandidates.push(...previous.resources.filter((r) => originKey(r.origin) === here));
      }
    }
  }

  // The resources in use keep their names: their fresh versions first, then last-good ones kept
  // for an invalid edit, then newcomers (in unit order), so a new file that repeats a name in use
  // is refused instead of taking over (alphabetical order decides only among newcomers).
  const inUse = new Set(previous.resources.map((r) => `${resourceIdentity(r)}\0${unitKey(r.origin)}`));
  const incumbent = (r: ConfigResource) => inUse.has(`${resourceIdentity(r)}\0${unitKey(r.origin)}`);
  const byIdentity = new Map<string, ConfigResource>();
  const byClaim = new Map<string, ConfigResource>();
  const accept = (resource: ConfigResource, isFresh: boolean): void => {
    const id = resourceIdentity(resource);
    const claim = kinds.get(resource.kind)?.claim(resource);
    const claimKey = claim ? `${resource.kind}\0${claim.key}` : undefined;
    const clash = byIdentity.get(id) ?? (claimKey ? byClaim.get(claimKey) : undefined);
    if (clash) {
      if (isFresh) {
        const what = byIdentity.has(id) ? `metadata.name ${JSON.stringify(resource.name)}` : (claim?.description ?? '');
        const stays = incumbent(clash) && !incumbent(resource) ? ' and stays in use' : '';
        issues.push({
          severity: 'error',
          code: 'DUPLICATE_RESOURCE',
          origin: resource.origin,
          kind: resource.kind,
          name: resource.name,
          message: `ignored: ${resource.kind} ${JSON.stringify(clash.name)} in ${originPhrase(clash.origin)} already defines ${what}${stays}; names must be unique`,
        });
      }
      return;
    }
    byIdentity.set(id, resource);
    if (claimKey) byClaim.set(claimKey, resource);
  };
  for (const resource of fresh) if (incumbent(resource)) accept(resource, true);
  for (const resource of keepCandidates) accept(resource, false);
  for (const resource of fresh) if (!incumbent(resource)) accept(resource, true);

  const resources = [...byIdentity.values()];
  const policies = resources.filter((r): r is TrustPolicyResource => r.kind === KIND_TRUST_POLICY);
  const trustStores = new Map<string, TrustStoreResource>();
  for (const resource of resources) if (resource.kind !== KIND_TRUST_POLICY) trustStores.set(resource.reference, resource);
  const generation = previous.generation + 1;
  const trustPolicies = new Map<string, TrustPolicyEntry>();
  for (const resource of policies) {
    const entry = trustPolicyEntry(resource, trustStores, previous, generation, validators);
    const unprovided = entry.missingTrustStores.filter((reference) => !validators.builtinTrustStores?.includes(reference));
    for (const reference of unprovided) {
      issues.push({
        severity: 'warning',
        code: 'MISSING_TRUST_STORE',
        origin: resource.origin,
        kind: KIND_TRUST_POLICY,
        name: resource.name,
        field: trustStoreField(resource.spec, reference),
        message: `no TrustStore resource provides ${reference}; verifications that need it fail until one is added`,
      });
    }
    trustPolicies.set(resource.trustPolicyName, entry);
  }

  return Object.freeze({
    generation,
    createdAt: options.now ?? new Date(),
    trustPolicies,
    trustStores,
    resources,
    issues,
  });
}

/** The entry requests select: the policy joined with its stores, compiled once (kept from `previous` while its content is the same). */
function trustPolicyEntry(
  resource: TrustPolicyResource,
  trustStores: ReadonlyMap<string, TrustStoreResource>,
  previous: ConfigSnapshot,
  generation: number,
  validators: ConfigValidators,
): TrustPolicyEntry {
  const stores = new Map<string, TrustStoreResource>();
  const missing: string[] = [];
  for (const reference of referencedStores(resource.spec)) {
    const store = trustStores.get(reference);
    if (store) stores.set(reference, store);
    else missing.push(reference);
  }
  const document: TrustPolicyDocumentJson = { version: resource.spec.version, trustPolicies: resource.spec.trustPolicies };
  const contentHash = contentHashOf({ document, trustStores: [...stores.values()].map((s) => [s.reference, s.contentHash]), missing });
  const before = previous.trustPolicies.get(resource.trustPolicyName);
  const same = before !== undefined && before.contentHash === contentHash;
  const entry: TrustPolicyEntry = {
    name: resource.trustPolicyName,
    resource,
    document,
    trustStores: stores,
    missingTrustStores: missing,
    contentHash,
    generation: same ? before.generation : generation,
  };
  if (same && (before.compiled || before.compileError)) {
    if (before.compiled) entry.compiled = before.compiled;
    if (before.compileError) entry.compileError = before.compileError;
  } else if (validators.compileTrustPolicy) {
    try {
      entry.compiled = validators.compileTrustPolicy(entry);
    } catch (err) {
      entry.compileError = toErrorInfo(err, 'INVALID_TRUST_POLICY');
    }
  }
  return entry;
}
