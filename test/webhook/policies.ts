// Compiled policies for the webhook tests, as src/policy's parser yields them (Kyverno defaults applied, autogen rules listed).
import type { CompiledKyvernoPolicy, LabelSelector, ResourceFilter, Rule } from '../../src/policy/index.js';

const NO_SELECTOR: LabelSelector = { matchLabels: {}, matchExpressions: [] };

export function filter(kinds: string[], extra: Partial<ResourceFilter['resources']> = {}): ResourceFilter {
  return { resources: { kinds, names: [], namespaces: [], operations: [], ...extra }, roles: [], clusterRoles: [], subjects: [] };
}

export function rule(name: string, filters: ResourceFilter[]): Rule {
  return {
    name,
    match: { any: filters, all: [] },
    imageExtractors: {},
    verifyImages: [{ type: 'Notary', imageReferences: ['registry.example/*'], skipImageReferences: [], attestors: [], attestations: [], mutateDigest: true, verifyDigest: true, required: true, useCache: true }],
    otherTypes: [],
  };
}

export function policy(name: string, rules: Rule[], extra: Partial<CompiledKyvernoPolicy> = {}): CompiledKyvernoPolicy {
  return {
    kind: extra.namespace ? 'Policy' : 'ClusterPolicy',
    apiVersion: 'kyverno.io/v1',
    name,
    annotations: {},
    validationFailureAction: 'Enforce',
    failurePolicy: 'Fail',
    webhookTimeoutSeconds: 10,
    background: true,
    rules,
    origin: `test:${name}`,
    ...extra,
  };
}

/** A Pod rule with Kyverno's autogen rules for the pod controllers and CronJob, team namespaces selected by label. */
export const podPolicy = policy('check-images', [
  rule('verify-signature', [filter(['Pod'], { namespaceSelector: { ...NO_SELECTOR, matchLabels: { 'imgverify.dev/enforce': 'true' } } })]),
  rule('autogen-verify-signature', [filter(['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController'], { namespaceSelector: { ...NO_SELECTOR, matchLabels: { 'imgverify.dev/enforce': 'true' } } })]),
  rule('autogen-cronjob-verify-signature', [filter(['CronJob'], { namespaceSelector: { ...NO_SELECTOR, matchLabels: { 'imgverify.dev/enforce': 'true' } } })]),
]);

/** A namespaced Policy in `ci` for Tekton TaskRuns, failing open, with a shorter timeout and an object selector. */
export const taskRunPolicy = policy('check-steps', [rule('verify-steps', [filter(['tekton.dev/v1beta1/TaskRun'], { operations: ['CREATE'], selector: { ...NO_SELECTOR, matchLabels: { 'tekton.dev/task': 'build' } } })])], {
  namespace: 'ci',
  failurePolicy: 'Ignore',
  webhookTimeoutSeconds: 5,
});
