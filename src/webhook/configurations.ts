// The MutatingWebhookConfiguration and ValidatingWebhookConfiguration our policies need, computed from their match blocks (pure: the leader writes them, see registration.ts).
//
// One webhook per failure policy present, as Kyverno's `…-fail` / `…-ignore` pair, each calling the
// endpoint of that failure policy. Selectors only narrow what the API server sends us: the engine
// matches exactly, so a webhook's rules and selectors are a superset of what its policies match —
// a namespace or label selector is written only when every filter of every policy in the group
// has the same one, a namespace list only when every filter names its namespaces.
import type { V1MutatingWebhookConfiguration, V1RuleWithOperations, V1ValidatingWebhookConfiguration, V1LabelSelector } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { CompiledKyvernoPolicy, LabelSelector, ResourceFilter } from '../policy/index.js';
import {
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  IGNORE_SUFFIX,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MAX_WEBHOOK_TIMEOUT_SECONDS,
  MIN_WEBHOOK_TIMEOUT_SECONDS,
  MUTATE_PATH,
  MUTATING_CONFIGURATION_NAME,
  NAMESPACE_NAME_LABEL,
  VALIDATE_PATH,
  VALIDATING_CONFIGURATION_NAME,
} from './constants.js';
import type { FailurePolicy } from './decision.js';

export interface WebhookTarget {
  /** The Service in front of the webhook, and its namespace (excluded from every webhook). */
  serviceName: string;
  namespace: string;
  /** PEM of the CA certificates the API server trusts for our serving certificate. */
  caBundle: string;
  /** More namespaces never sent to us (kube-system, say). */
  excludedNamespaces?: readonly string[];
}

/** Group, version pattern and resource of the kinds policies usually name; others are `*`/`*`/lower-case plural. */
const KNOWN_KINDS: Readonly<Record<string, { group: string; resource: string }>> = {
  Pod: { group: '', resource: 'pods' },
  ReplicationController: { group: '', resource: 'replicationcontrollers' },
  Deployment: { group: 'apps', resource: 'deployments' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  TaskRun: { group: 'tekton.dev', resource: 'taskruns' },
  PipelineRun: { group: 'tekton.dev', resource: 'pipelineruns' },
  DataVolume: { group: 'cdi.kubevirt.io', resource: 'datavolumes' },
};

/** Subresources through which a kind's images change besides the object itself. */
const IMAGE_SUBRESOURCES: Readonly<Record<string, readonly string[]>> = { Pod: ['ephemeralcontainers'] };

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : `${lower}s`;
}

/** A Kyverno kind selector (`Pod`, `apps/v1/Deployment`, `v1/Pod`, `tekton.dev/v1beta1/TaskRun.status`, `Pod/exec`, `*`) as webhook rule parts. */
export function kindRule(selector: string): { group: string; version: string; resources: string[] } {
  if (selector === '*') return { group: '*', version: '*', resources: ['*'] };
  const parts = selector.split('/');
  let subresource: string | undefined;
  // `Kind/subresource` (Kyverno's older form): the last part is lower-case.
  if (parts.length === 2 && /^[a-z]/.test(parts[1] as string) && /^[A-Z*]/.test(parts[0] as string)) subresource = parts.pop();
  let kind = parts.pop() as string;
  const dot = kind.indexOf('.');
  if (dot > 0) {
    subresource = kind.slice(dot + 1);
    kind = kind.slice(0, dot);
  }
  const known = KNOWN_KINDS[kind];
  const version = parts.length >= 1 ? (parts.pop() as string) : '*';
  const group = parts.length >= 1 ? parts.join('/') : (known?.group ?? '*');
  const resource = kind === '*' ? '*' : (known?.resource ?? plural(kind));
  const resources = subresource ? [`${resource}/${subresource}`] : [resource, ...(IMAGE_SUBRESOURCES[kind] ?? []).map((s) => `${resource}/${s}`)];
  return { group, version, resources };
}

function filtersOf(policy: CompiledKyvernoPolicy): ResourceFilter[] {
  return policy.rules.filter((rule) => rule.verifyImages.length > 0).flatMap((rule) => [...rule.match.any, ...rule.match.all]);
}

function toSelector(selector: LabelSelector | undefined): V1LabelSelector | undefined {
  if (!selector) return undefined;
  const out: V1LabelSelector = {};
  if (Object.keys(selector.matchLabels).length > 0) out.matchLabels = { ...selector.matchLabels };
  if (selector.matchExpressions.length > 0) out.matchExpressions = selector.matchExpressions.map((e) => ({ key: e.key, operator: e.operator, ...(e.values.length > 0 ? { values: [...e.values] } : {}) }));
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The one selector every filter has (undefined when they differ or one has none). */
function common(selectors: readonly (V1LabelSelector | undefined)[]): V1LabelSelector | undefined {
  const first = selectors[0];
  return first && selectors.every((s) => isDeepStrictEqual(s, first)) ? first : undefined;
}

interface WebhookPlan {
  rules: V1RuleWithOperations[];
  namespaceSelector: V1LabelSelector;
  objectSelector?: V1LabelSelector;
  timeoutSeconds: number;
}

/** Rules, selectors and timeout of the webhook serving `policies` (those with one failure policy). */
function plan(policies: readonly CompiledKyvernoPolicy[], target: WebhookTarget): WebhookPlan | undefined {
  const entries: { policy: CompiledKyvernoPolicy; filter: ResourceFilter }[] = policies.flatMap((policy) => filtersOf(policy).map((filter) => ({ policy, filter })));
  if (entries.length === 0) return undefined;
  const byTarget = new Map<string, { group: string; version: string; resources: Set<string>; operations: Set<string> }>();
  for (const { filter } of entries) {
    const operations = filter.resources.operations.length > 0 ? filter.resources.operations : ['CREATE', 'UPDATE'];
    for (const selector of filter.resources.kinds) {
      const rule = kindRule(selector);
      const key = `${rule.group}|${rule.version}`;
      const entry = byTarget.get(key) ?? { group: rule.group, version: rule.version, resources: new Set<string>(), operations: new Set<string>() };
      for (const resource of rule.resources) entry.resources.add(resource);
      for (const operation of operations) entry.operations.add(operation);
      byTarget.set(key, entry);
    }
  }
  const rules: V1RuleWithOperations[] = [...byTarget.values()]
    .sort((a, b) => `${a.group}|${a.version}`.localeCompare(`${b.group}|${b.version}`))
    .map((entry) => ({ apiGroups: [entry.group], apiVersions: [entry.version], resources: [...entry.resources].sort(), operations: [...entry.operations].sort(), scope: '*' }));

  const excluded = [target.namespace, ...(target.excludedNamespaces ?? [])];
  const namespaces = entries.map(({ policy, filter }) => (policy.namespace ? [policy.namespace] : filter.resources.namespaces));
  const listed = namespaces.every((list) => list.length > 0 && list.every((n) => !/[*?]/.test(n)))
    ? [...new Set(namespaces.flat())].filter((n) => !excluded.includes(n)).sort()
    : undefined;
  const shared = common(entries.map(({ filter }) => toSelector(filter.resources.namespaceSelector)));
  const namespaceSelector: V1LabelSelector = {
    ...(shared?.matchLabels ? { matchLabels: shared.matchLabels } : {}),
    matchExpressions: [
      listed ? { key: NAMESPACE_NAME_LABEL, operator: 'In', values: listed } : { key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...new Set(excluded)].sort() },
      ...(shared?.matchExpressions ?? []),
    ],
  };
  const objectSelector = common(entries.map(({ filter }) => toSelector(filter.resources.selector)));
  const timeout = Math.max(...policies.map((p) => p.webhookTimeoutSeconds || DEFAULT_WEBHOOK_TIMEOUT_SECONDS));
  return {
    rules,
    namespaceSelector,
    ...(objectSelector ? { objectSelector } : {}),
    timeoutSeconds: Math.min(MAX_WEBHOOK_TIMEOUT_SECONDS, Math.max(MIN_WEBHOOK_TIMEOUT_SECONDS, timeout)),
  };
}

const FAILURE_POLICIES: readonly FailurePolicy[] = ['Fail', 'Ignore'];

/** The webhook timeout (seconds) the API server gives each endpoint's webhook; undefined when no policy has that failure policy. */
export function webhookTimeouts(policies: readonly CompiledKyvernoPolicy[], target: WebhookTarget): Partial<Record<FailurePolicy, number>> {
  const out: Partial<Record<FailurePolicy, number>> = {};
  for (const failurePolicy of FAILURE_POLICIES) {
    const planned = plan(policies.filter((p) => p.failurePolicy === failurePolicy), target);
    if (planned) out[failurePolicy] = planned.timeoutSeconds;
  }
  return out;
}

export interface WebhookConfigurations {
  mutating: V1MutatingWebhookConfiguration;
  validating: V1ValidatingWebhookConfiguration;
}

/** Both configurations for `policies` (no webhooks when no policy has a verifyImages rule). */
export function webhookConfigurations(policies: readonly CompiledKyvernoPolicy[], target: WebhookTarget): WebhookConfigurations {
  const metadata = (name: string) => ({ name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } });
  const caBundle = Buffer.from(target.caBundle).toString('base64');
  const common = (failurePolicy: FailurePolicy, path: string, planned: WebhookPlan) => ({
    admissionReviewVersions: ['v1'],
    clientConfig: { service: { name: target.serviceName, namespace: target.namespace, path: failurePolicy === 'Fail' ? path : `${path}${IGNORE_SUFFIX}`, port: 443 }, caBundle },
    rules: planned.rules,
    failurePolicy,
    matchPolicy: 'Equivalent',
    namespaceSelector: planned.namespaceSelector,
    // The API server defaults an absent selector to {}: written so, a re-read equals what we wrote.
    objectSelector: planned.objectSelector ?? {},
    timeoutSeconds: planned.timeoutSeconds,
  });
  const mutating: V1MutatingWebhookConfiguration = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: metadata(MUTATING_CONFIGURATION_NAME), webhooks: [] };
  const validating: V1ValidatingWebhookConfiguration = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: metadata(VALIDATING_CONFIGURATION_NAME), webhooks: [] };
  for (const failurePolicy of FAILURE_POLICIES) {
    const planned = plan(policies.filter((p) => p.failurePolicy === failurePolicy), target);
    if (!planned) continue;
    const suffix = failurePolicy === 'Fail' ? 'fail' : 'ignore';
    // /mutate records Events and PolicyReports, except for dry runs; /validate records nothing.
    mutating.webhooks?.push({ name: `mutate.imgverify.svc-${suffix}`, ...common(failurePolicy, MUTATE_PATH, planned), sideEffects: 'NoneOnDryRun', reinvocationPolicy: 'IfNeeded' });
    validating.webhooks?.push({ name: `validate.imgverify.svc-${suffix}`, ...common(failurePolicy, VALIDATE_PATH, planned), sideEffects: 'None' });
  }
  return { mutating, validating };
}
