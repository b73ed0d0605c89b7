// Rule match/exclude as Kyverno decides them (pkg/engine/utils/match.go, pkg/utils/match): kinds with group/version
// and subresource, names and namespaces with wildcards, annotations, label and namespace selectors, operations, subjects.
import { wildcardMatch } from '../common/index.js';
import type { LabelSelector, MatchResources, Operation, ResourceDescription, ResourceFilter, Rule } from './model.js';

/** The resource and request facts a match reads. */
export interface MatchSubject {
  group: string;
  version: string;
  kind: string;
  subResource: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  namespaceLabels: Record<string, string>;
  operation: Operation;
  userInfo?: { username?: string; groups?: string[] };
}

const VERSION = /^(v\d+((alpha|beta)\d+)?|\*)$/;

/** Kyverno's ParseKindSelector: `Kind`, `version/Kind`, `group/version/Kind`, each with an optional `.subresource` or `/subresource`. */
export function parseKindSelector(input: string): { group: string; version: string; kind: string; subResource: string } | undefined {
  const slash = input.split('/');
  const parts = [...slash.slice(0, -1), ...(slash.at(-1) ?? '').split('.')];
  const [a = '', b = '', c = '', d = ''] = parts;
  switch (parts.length) {
    case 1:
      return { group: '*', version: '*', kind: a, subResource: '' };
    case 2:
      if (a === '*' && b === '*') return { group: '*', version: '*', kind: '*', subResource: '*' };
      if (a === '*' && b.toLowerCase() === b) return { group: '*', version: '*', kind: a, subResource: b };
      if (VERSION.test(a)) return { group: '*', version: a, kind: b, subResource: '' };
      return { group: '*', version: '*', kind: a, subResource: b };
    case 3:
      if (VERSION.test(a)) return { group: '*', version: a, kind: b, subResource: c };
      return { group: a, version: b, kind: c, subResource: '' };
    case 4:
      return { group: a, version: b, kind: c, subResource: d };
    default:
      return undefined;
  }
}

/** The bare kind a selector names (`apps/v1/Deployment` → `Deployment`), as Kyverno's ContainsKind compares. */
export function selectorKind(selector: string): string {
  return parseKindSelector(selector)?.kind ?? selector;
}

export function kindMatches(kinds: readonly string[], subject: Pick<MatchSubject, 'group' | 'version' | 'kind' | 'subResource'>): boolean {
  return kinds.some((selector) => {
    const parsed = parseKindSelector(selector);
    if (!parsed) return false;
    if (!wildcardMatch(parsed.group, subject.group) || !wildcardMatch(parsed.version, subject.version) || !wildcardMatch(parsed.kind, subject.kind)) return false;
    if (wildcardMatch(parsed.subResource, subject.subResource)) return true;
    // A Pod rule also sees the ephemeralcontainers subresource (Kyverno's allowEphemeralContainers).
    return subject.group === '' && subject.version === 'v1' && subject.kind === 'Pod' && subject.subResource === 'ephemeralcontainers';
  });
}

/** metav1.LabelSelector semantics; wildcard keys and values in matchLabels match any label they match (Kyverno's ReplaceInSelector). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels)) {
    const wild = key.includes('*') || key.includes('?') || value.includes('*') || value.includes('?');
    const ok = wild ? Object.entries(labels).some(([k, v]) => wildcardMatch(key, k) && wildcardMatch(value, v)) : labels[key] === value;
    if (!ok) return false;
  }
  for (const requirement of selector.matchExpressions) {
    const has = Object.hasOwn(labels, requirement.key);
    const value = labels[requirement.key];
    switch (requirement.operator) {
      case 'In':
        if (!has || !requirement.values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && requirement.values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

function isEmptyDescription(description: ResourceDescription): boolean {
  return (
    description.kinds.length === 0 &&
    description.names.length === 0 &&
    description.namespaces.length === 0 &&
    description.operations.length === 0 &&
    description.annotations === undefined &&
    description.selector === undefined &&
    description.namespaceSelector === undefined
  );
}

function hasUserInfo(filter: ResourceFilter): boolean {
  return filter.roles.length > 0 || filter.clusterRoles.length > 0 || filter.subjects.length > 0;
}

/** The reasons a filter does not match (empty: it matches), as doesResourceMatchConditionBlock lists them. */
function filterMismatches(filter: ResourceFilter, subject: MatchSubject): string[] {
  const description = filter.resources;
  if (description.operations.length > 0 && !description.operations.includes(subject.operation)) return ['operation does not match'];
  const reasons: string[] = [];
  if (description.kinds.length > 0 && !kindMatches(description.kinds, subject)) reasons.push(`kind does not match [${description.kinds.join(' ')}]`);
  if (description.names.length > 0 && !description.names.some((name) => wildcardMatch(name, subject.name))) reasons.push('none of the names match');
  if (description.namespaces.length > 0) {
    const namespace = subject.kind === 'Namespace' ? subject.name : subject.namespace;
    if (!description.namespaces.some((pattern) => wildcardMatch(pattern, namespace))) reasons.push('namespace does not match');
  }
  if (description.annotations) {
    const ok = Object.entries(description.annotations).every(([key, value]) => Object.entries(subject.annotations).some(([k, v]) => wildcardMatch(key, k) && wildcardMatch(value, v)));
    if (!ok) reasons.push('annotations does not match');
  }
  if (description.selector && !selectorMatches(description.selector, subject.labels)) reasons.push('selector does not match');
  if (description.namespaceSelector) {
    if (subject.kind === 'Namespace') reasons.push('namespace selector is not applicable for namespace resource');
    else if (!selectorMatches(description.namespaceSelector, subject.namespaceLabels)) reasons.push('namespace selector does not match labels');
  }
  // User info is only known at admission: without it (the CLI) Kyverno ignores roles and subjects.
  if (subject.userInfo && filter.subjects.length > 0 && !subjectsMatch(filter.subjects, subject.userInfo)) reasons.push('user info does not match subject for the given conditionBlock');
  return reasons;
}

function subjectsMatch(subjects: ResourceFilter['subjects'], userInfo: NonNullable<MatchSubject['userInfo']>): boolean {
  const username = userInfo.username ?? '';
  return subjects.some((subject) => {
    switch (subject.kind) {
      case 'ServiceAccount':
        return wildcardMatch(`system:serviceaccount:${subject.namespace ?? ''}:${subject.name}`, username);
      case 'Group':
        return (userInfo.groups ?? []).some((group) => wildcardMatch(subject.name, group));
      case 'User':
        return wildcardMatch(subject.name, username);
      default:
        return false;
    }
  });
}

function matchFilter(filter: ResourceFilter, subject: MatchSubject): string[] {
  if (isEmptyDescription(filter.resources) && !hasUserInfo(filter)) return ['match cannot be empty'];
  return filterMismatches(filter, subject);
}

function excludedBy(filter: ResourceFilter, subject: MatchSubject): boolean {
  if (isEmptyDescription(filter.resources) && !hasUserInfo(filter)) return false;
  return filterMismatches(filter, subject).length === 0;
}

function excludes(exclude: MatchResources, subject: MatchSubject): boolean {
  if (exclude.any.length > 0) return exclude.any.some((filter) => excludedBy(filter, subject));
  if (exclude.all.length > 0) return exclude.all.every((filter) => excludedBy(filter, subject));
  return false;
}

/**
 * Why `rule` does not apply to the subject (undefined: it applies). A namespaced Policy only sees its namespace;
 * `match.any` needs one filter, `match.all` every filter; `exclude` then takes out what any (or all) of its filters describe.
 */
export function ruleMismatch(rule: Rule, subject: MatchSubject, policyNamespace?: string): string | undefined {
  if (policyNamespace !== undefined && policyNamespace !== subject.namespace) return 'policy and resource namespaces mismatch';
  const { match } = rule;
  let reasons: string[];
  if (match.any.length > 0) reasons = match.any.some((filter) => matchFilter(filter, subject).length === 0) ? [] : ['no resource matched'];
  else reasons = match.all.flatMap((filter) => matchFilter(filter, subject));
  if (match.any.length === 0 && match.all.length === 0) reasons = ['match cannot be empty'];
  if (reasons.length === 0 && rule.exclude && excludes(rule.exclude, subject)) reasons = ['resource excluded'];
  return reasons.length === 0 ? undefined : `rule ${rule.name} not matched: ${reasons.join('; ')}`;
}
