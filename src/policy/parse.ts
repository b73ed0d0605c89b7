// Kyverno policy documents (YAML/JSON streams) → typed policies: Kyverno's CRD schema, then the semantic rules of its
// API validation (api/kyverno/v1 Validate), the legacy verifyImages form converted, autogen rules added.
import { parseConditions, type AnyAllConditions } from '../conditions/index.js';
import { parseManifestText } from '../config/index.js';
import { withAutogenRules } from './autogen.js';
import {
  DEFAULT_SIGNATURE_ALGORITHM,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  type Attestation,
  type Attestor,
  type AttestorSet,
  type CompiledKyvernoPolicy,
  type FailureAction,
  type ImageExtractor,
  type ImageVerification,
  type LabelSelector,
  type MatchResources,
  type RekorOptions,
  type ResourceFilter,
  type Rule,
  type SignatureType,
} from './model.js';
import { checkPolicySchema, fieldPath } from './schema.js';
import type { PolicyIssue } from './types.js';

const GROUP = 'kyverno.io';
const POLICY_KINDS = new Set(['ClusterPolicy', 'Policy']);
const SIGNATURE_ALGORITHMS = new Set(['', 'sha224', 'sha256', 'sha384', 'sha512']);
const RULE_TYPES_NOT_RUN = ['validate', 'mutate', 'generate'];

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Json => (isRecord(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] => list(value).filter((item): item is string => typeof item === 'string');
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const stringMap = (value: unknown): Record<string, string> | undefined =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : undefined;

/** Collects the issues of one policy, each with the policy, rule and field it is about. */
class Findings {
  readonly issues: PolicyIssue[] = [];
  constructor(
    readonly origin: string,
    readonly policy: string | undefined,
  ) {}

  add(severity: PolicyIssue['severity'], field: string | undefined, message: string, rule?: string): void {
    this.issues.push({
      severity,
      origin: this.origin,
      ...(this.policy !== undefined ? { policy: this.policy } : {}),
      ...(rule !== undefined ? { rule } : {}),
      ...(field !== undefined ? { field } : {}),
      message,
    });
  }

  get failed(): boolean {
    return this.issues.some((issue) => issue.severity === 'error');
  }
}

function labelSelector(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  return {
    matchLabels: stringMap(value.matchLabels) ?? {},
    matchExpressions: list(value.matchExpressions).map((item) => {
      const expression = record(item);
      return { key: String(expression.key), operator: expression.operator as LabelSelector['matchExpressions'][number]['operator'], values: strings(expression.values) };
    }),
  };
}

function resourceFilter(value: Json): ResourceFilter {
  const resources = record(value.resources);
  const annotations = stringMap(resources.annotations);
  const selector = labelSelector(resources.selector);
  const namespaceSelector = labelSelector(resources.namespaceSelector);
  const name = text(resources.name);
  return {
    resources: {
      kinds: strings(resources.kinds),
      names: [...(name !== undefined ? [name] : []), ...strings(resources.names)],
      namespaces: strings(resources.namespaces),
      operations: strings(resources.operations) as ResourceFilter['resources']['operations'],
      ...(annotations ? { annotations } : {}),
      ...(selector ? { selector } : {}),
      ...(namespaceSelector ? { namespaceSelector } : {}),
    },
    roles: strings(value.roles),
    clusterRoles: strings(value.clusterRoles),
    subjects: list(value.subjects).map((item) => {
      const subject = record(item);
      return { kind: String(subject.kind), name: String(subject.name), ...(text(subject.namespace) ? { namespace: subject.namespace as string } : {}) };
    }),
  };
}

/** match/exclude; the legacy form (resources at the top, no any/all) is one filter that must match entirely. */
function matchResources(value: unknown): MatchResources {
  const match = record(value);
  const any = list(match.any).map((item) => resourceFilter(record(item)));
  const all = list(match.all).map((item) => resourceFilter(record(item)));
  if (any.length === 0 && all.length === 0 && (match.resources !== undefined || match.subjects !== undefined || match.roles !== undefined || match.clusterRoles !== undefined)) {
    return { any: [], all: [resourceFilter(match)] };
  }
  return { any, all };
}

function attestorSet(value: unknown, path: (string | number)[], findings: Findings, rule: string): AttestorSet {
  const set = record(value);
  const entries = list(set.entries).map((entry, index) => attestor(record(entry), [...path, 'entries', index], findings, rule));
  const count = typeof set.count === 'number' ? set.count : undefined;
  if (count !== undefined && count > entries.length) findings.add('error', fieldPath(path), 'Count cannot exceed length of entries', rule);
  if (count !== undefined && count < 1) findings.add('error', fieldPath([...path, 'count']), 'count must be at least 1', rule);
  if (entries.length === 0) findings.add('error', fieldPath(path), 'An entry is required', rule);
  return { ...(count !== undefined ? { count } : {}), entries };
}

function rekor(value: unknown): RekorOptions | undefined {
  if (!isRecord(value)) return undefined;
  // The CRD spells it `pubkey`; Kyverno's documentation (and seed 001) `pubKey`, which the API server prunes.
  const pubKey = text(value.pubkey);
  return { ...(text(value.url) ? { url: value.url as string } : {}), ...(pubKey ? { pubKey } : {}), ...(typeof value.ignoreTlog === 'boolean' ? { ignoreTlog: value.ignoreTlog } : {}) };
}

function ctlog(value: unknown): { pubKey?: string; ignoreSCT?: boolean; tsaCertChain?: string } | undefined {
  if (!isRecord(value)) return undefined;
  const pubKey = text(value.pubkey);
  return {
    ...(pubKey ? { pubKey } : {}),
    ...(typeof value.ignoreSCT === 'boolean' ? { ignoreSCT: value.ignoreSCT } : {}),
    ...(text(value.tsaCertChain) ? { tsaCertChain: value.tsaCertChain as string } : {}),
  };
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) (base as Record<string, unknown>)[key] = value;
  return base;
}

function attestor(entry: Json, path: (string | number)[], findings: Findings, rule: string): Attestor {
  const kinds = ['keys', 'certificates', 'keyless', 'attestor'].filter((kind) => entry[kind] !== undefined && entry[kind] !== null);
  if (kinds.length !== 1) findings.add('error', fieldPath(path), 'keys, certificates, keyless, or a nested attestor is required', rule);
  const out: Attestor = withOptional<Attestor>({}, { repository: text(entry.repository), annotations: stringMap(entry.annotations) });
  if (isRecord(entry.keys)) {
    const keys = entry.keys;
    const secret = isRecord(keys.secret) ? { name: String(keys.secret.name), namespace: String(keys.secret.namespace) } : undefined;
    const signatureAlgorithm = typeof keys.signatureAlgorithm === 'string' ? keys.signatureAlgorithm : DEFAULT_SIGNATURE_ALGORITHM;
    if (!text(keys.publicKeys) && !text(keys.kms) && !secret) findings.add('error', fieldPath([...path, 'keys']), 'A public key, kms key or secret is required', rule);
    if (text(keys.publicKeys) && !SIGNATURE_ALGORITHMS.has(signatureAlgorithm)) findings.add('error', fieldPath([...path, 'keys']), 'Invalid signature algorithm provided', rule);
    out.keys = withOptional({ signatureAlgorithm }, { publicKeys: text(keys.publicKeys), secret, kms: text(keys.kms), rekor: rekor(keys.rekor), ctlog: ctlog(keys.ctlog) });
  }
  if (isRecord(entry.certificates)) {
    const certificates = entry.certificates;
    if (!text(certificates.cert) && !text(certificates.certChain)) findings.add('error', fieldPath([...path, 'certificates']), 'cert or certChain required', rule);
    out.certificates = withOptional({}, { cert: text(certificates.cert), certChain: text(certificates.certChain), rekor: rekor(certificates.rekor), ctlog: ctlog(certificates.ctlog) });
  }
  if (isRecord(entry.keyless)) {
    const keyless = entry.keyless;
    const rekorOptions = rekor(keyless.rekor);
    if (!rekorOptions && !text(keyless.roots)) findings.add('error', fieldPath([...path, 'keyless']), 'Either Rekor URL or roots are required', rule);
    if (rekorOptions && !rekorOptions.url) findings.add('error', fieldPath([...path, 'keyless']), 'An URL is required', rule);
    out.keyless = withOptional(
      {},
      {
        subject: text(keyless.subject),
        subjectRegExp: text(keyless.subjectRegExp),
        issuer: text(keyless.issuer),
        issuerRegExp: text(keyless.issuerRegExp),
        roots: text(keyless.roots),
        additionalExtensions: stringMap(keyless.additionalExtensions),
        rekor: rekorOptions,
        ctlog: ctlog(keyless.ctlog),
      },
    );
  }
  if (isRecord(entry.attestor)) out.attestor = attestorSet(entry.attestor, [...path, 'attestor'], findings, rule);
  return out;
}

function conditionsOf(value: unknown, path: (string | number)[], findings: Findings, rule: string): AnyAllConditions[] {
  if (value === undefined || value === null) return [];
  try {
    return parseConditions(value);
  } catch (err) {
    findings.add('error', fieldPath(path), err instanceof Error ? err.message : String(err), rule);
    return [];
  }
}

/** One verifyImages entry, the legacy fields (image, key, issuer, subject, roots, annotations) converted as Kyverno's Convert() does. */
function imageVerification(value: Json, path: (string | number)[], audit: boolean, findings: Findings, rule: string): ImageVerification {
  const type = (text(value.type) ?? 'Cosign') as SignatureType;
  const imageReferences = [...strings(value.imageReferences), ...(text(value.image) ? [value.image as string] : [])];
  const attestors = list(value.attestors).map((set, index) => attestorSet(set, [...path, 'attestors', index], findings, rule));
  const attestations: Attestation[] = list(value.attestations).map((item, index) => {
    const attestation = record(item);
    const where = [...path, 'attestations', index];
    return withOptional<Attestation>(
      {
        type: text(attestation.type) ?? text(attestation.predicateType) ?? '',
        attestors: list(attestation.attestors).map((set, j) => attestorSet(set, [...where, 'attestors', j], findings, rule)),
        conditions: conditionsOf(attestation.conditions, [...where, 'conditions'], findings, rule),
      },
      { name: text(attestation.name) },
    );
  });
  const legacyKey = text(value.key);
  const legacyIssuer = text(value.issuer);
  const annotations = stringMap(value.annotations);
  if (legacyKey || legacyIssuer || (annotations && Object.keys(annotations).length > 0 && (text(value.image) || legacyKey || legacyIssuer))) {
    const legacy: Attestor = withOptional<Attestor>({}, { annotations });
    if (legacyKey) legacy.keys = { publicKeys: legacyKey, signatureAlgorithm: DEFAULT_SIGNATURE_ALGORITHM };
    else if (legacyIssuer) legacy.keyless = withOptional({}, { issuer: legacyIssuer, subject: text(value.subject), roots: text(value.roots) });
    const set: AttestorSet = { entries: [legacy] };
    if (attestations.length > 0) for (const attestation of attestations) attestation.attestors.push(set);
    else attestors.push(set);
  }
  const mutateDigest = value.mutateDigest !== false;
  // The CRD defaults mutateDigest to true, so an Audit rule must say false (Kyverno refuses it otherwise).
  if (audit && mutateDigest) findings.add('error', fieldPath([...path, 'mutateDigest']), "mutateDigest must be set to false for 'Audit' failure action", rule);
  if (imageReferences.length === 0) findings.add('error', fieldPath(path), 'An image reference is required', rule);
  if (type === 'Notary') {
    for (const set of attestors) {
      for (const entry of set.entries) {
        if (entry.keyless) findings.add('error', fieldPath([...path, 'attestors']), 'Keyless field is not allowed for type notary', rule);
        if (entry.keys) findings.add('error', fieldPath([...path, 'attestors']), 'Keys field is not allowed for type notary', rule);
      }
    }
  }
  const credentials = isRecord(value.imageRegistryCredentials) ? value.imageRegistryCredentials : undefined;
  return withOptional<ImageVerification>(
    {
      type,
      imageReferences,
      skipImageReferences: strings(value.skipImageReferences),
      attestors,
      attestations,
      mutateDigest,
      verifyDigest: value.verifyDigest !== false,
      required: value.required !== false,
      useCache: value.useCache !== false,
    },
    {
      repository: text(value.repository),
      failureAction: text(value.failureAction) as FailureAction | undefined,
      imageRegistryCredentials: credentials
        ? { allowInsecureRegistry: credentials.allowInsecureRegistry === true, providers: strings(credentials.providers), secrets: strings(credentials.secrets) }
        : undefined,
    },
  );
}

function failureAction(value: unknown): FailureAction {
  return typeof value === 'string' && value.toLowerCase() === 'enforce' ? 'Enforce' : 'Audit';
}

function parseRule(value: Json, index: number, policyAction: FailureAction, findings: Findings): Rule {
  const name = typeof value.name === 'string' ? value.name : `rule-${index}`;
  const path: (string | number)[] = ['spec', 'rules', index];
  const otherTypes = RULE_TYPES_NOT_RUN.filter((type) => value[type] !== undefined);
  if (otherTypes.length > 0) findings.add('warning', fieldPath([...path, otherTypes[0] as string]), `${otherTypes.join(', ')} rules are not evaluated by imgverify (only verifyImages)`, name);
  for (const part of ['context', 'preconditions', 'celPreconditions']) {
    if (value[part] !== undefined) findings.add('warning', fieldPath([...path, part]), `${part} is not evaluated by imgverify: the rule applies whatever it says`, name);
  }
  list(value.verifyImages).forEach((item, j) => {
    const entry = record(item);
    // A check we cannot run must keep the policy out, never pass silently.
    if (entry.validate !== undefined) findings.add('error', fieldPath([...path, 'verifyImages', j, 'validate']), 'validate in verifyImages is not supported by imgverify', name);
    const credentials = record(entry.imageRegistryCredentials);
    if (strings(credentials.secrets).length > 0 || strings(credentials.providers).length > 0) {
      findings.add('warning', fieldPath([...path, 'verifyImages', j, 'imageRegistryCredentials']), 'secrets and providers are not used: the registry credentials of imgverify apply', name);
    }
  });
  const verifyImages = list(value.verifyImages).map((item, j) => {
    const action = isRecord(item) && typeof item.failureAction === 'string' ? failureAction(item.failureAction) : policyAction;
    return imageVerification(record(item), [...path, 'verifyImages', j], action === 'Audit', findings, name);
  });
  const match = matchResources(value.match);
  if (match.any.length === 0 && match.all.length === 0) findings.add('error', fieldPath([...path, 'match']), 'match must name resources (any, all or resources)', name);
  const filters = [...match.any, ...match.all];
  if (filters.length > 0 && filters.every((filter) => filter.resources.kinds.length === 0 && filter.subjects.length === 0)) {
    findings.add('error', fieldPath([...path, 'match']), 'kind is required in a match block', name);
  }
  const extractors: Record<string, ImageExtractor[]> = {};
  for (const [kind, configs] of Object.entries(record(value.imageExtractors))) {
    extractors[kind] = list(configs).map((config) => {
      const extractor = record(config);
      return withOptional<ImageExtractor>(
        { path: String(extractor.path) },
        { value: text(extractor.value), name: text(extractor.name), key: text(extractor.key), jmesPath: text(extractor.jmesPath) },
      );
    });
  }
  return withOptional<Rule>({ name, match, imageExtractors: extractors, verifyImages, otherTypes }, { exclude: value.exclude === undefined ? undefined : matchResources(value.exclude) });
}

function parseDocument(document: unknown, origin: string): { policy?: CompiledKyvernoPolicy; issues: PolicyIssue[] } {
  const object = record(document);
  const metadata = record(object.metadata);
  const name = text(metadata.name);
  const findings = new Findings(origin, name);
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const kind = typeof object.kind === 'string' ? object.kind : '';
  if (!POLICY_KINDS.has(kind) || !apiVersion.startsWith(`${GROUP}/`)) {
    findings.add('error', undefined, `not a Kyverno policy (apiVersion ${JSON.stringify(apiVersion)}, kind ${JSON.stringify(kind)}; expected kyverno.io/v1 ClusterPolicy or Policy)`);
    return { issues: findings.issues };
  }
  if (!name) findings.add('error', 'metadata.name', 'a policy needs a name');
  const { errors, unknown } = checkPolicySchema(object, apiVersion.slice(GROUP.length + 1));
  for (const problem of errors) findings.add('error', problem.field, problem.message);
  for (const problem of unknown) findings.add('warning', problem.field, problem.message);
  if (findings.failed) return { issues: findings.issues };

  const spec = record(object.spec);
  const action = failureAction(spec.validationFailureAction);
  const rawRules = list(spec.rules).map(record);
  const names = new Set<string>();
  for (const [index, rule] of rawRules.entries()) {
    if (names.has(String(rule.name))) findings.add('error', fieldPath(['spec', 'rules', index, 'name']), `duplicate rule name ${JSON.stringify(rule.name)}`);
    names.add(String(rule.name));
  }
  const annotations = stringMap(metadata.annotations) ?? {};
  const rules = rawRules.map((rule, index) => parseRule(rule, index, action, findings));
  if (findings.failed || !name) return { issues: findings.issues };
  const namespace = kind === 'Policy' ? (text(metadata.namespace) ?? 'default') : undefined;
  const timeout = typeof spec.webhookTimeoutSeconds === 'number' ? spec.webhookTimeoutSeconds : DEFAULT_WEBHOOK_TIMEOUT_SECONDS;
  const policy: CompiledKyvernoPolicy = {
    kind: kind as CompiledKyvernoPolicy['kind'],
    apiVersion,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    annotations,
    validationFailureAction: action,
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    webhookTimeoutSeconds: timeout,
    background: spec.background !== false,
    rules: withAutogenRules(rules, annotations),
    origin,
  };
  return { policy, issues: findings.issues };
}

/**
 * Every Kyverno policy in `docs` (each a file's text, possibly several YAML documents). A policy with an `error` issue
 * is left out; `warning`s (fields the API server would prune, rule types not run) keep it.
 */
export function parsePolicies(docs: { origin: string; text: string }[]): { policies: CompiledKyvernoPolicy[]; issues: PolicyIssue[] } {
  const policies: CompiledKyvernoPolicy[] = [];
  const issues: PolicyIssue[] = [];
  for (const doc of docs) {
    const unit = parseManifestText(doc.origin, doc.text);
    if (unit.status !== 'parsed') {
      issues.push({ severity: 'error', origin: doc.origin, message: unit.message });
      continue;
    }
    for (const document of unit.documents) {
      if (document.value === null || document.value === undefined) continue;
      const parsed = parseDocument(document.value, doc.origin);
      issues.push(...parsed.issues);
      if (parsed.policy) policies.push(parsed.policy);
    }
  }
  return { policies, issues };
}
