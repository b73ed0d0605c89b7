// Kyverno's autogen (pkg/autogen/v1): a Pod rule also applies to the pod controllers, as `autogen-<rule>` for
// DaemonSet, Deployment, Job, ReplicaSet, ReplicationController, StatefulSet and `autogen-cronjob-<rule>` for CronJob.
import { selectorKind } from './match.js';
import type { MatchResources, ResourceDescription, ResourceFilter, Rule } from './model.js';

export const AUTOGEN_CONTROLLERS_ANNOTATION = 'pod-policies.kyverno.io/autogen-controllers';

/** The controllers autogen covers besides CronJob, and the GVK each is matched as. */
const CONTROLLER_GVK: Record<string, string> = {
  DaemonSet: 'apps/v1/DaemonSet',
  Deployment: 'apps/v1/Deployment',
  Job: 'batch/v1/Job',
  StatefulSet: 'apps/v1/StatefulSet',
  ReplicaSet: 'apps/v1/ReplicaSet',
  ReplicationController: 'v1/ReplicationController',
  CronJob: 'batch/v1/CronJob',
  Pod: 'v1/Pod',
};
const POD_CONTROLLERS = ['DaemonSet', 'Deployment', 'Job', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'CronJob'];
const NAME_LIMIT = 63;

const toGvk = (kinds: readonly string[]): string[] => kinds.map((kind) => CONTROLLER_GVK[kind] ?? kind);
const containsKind = (kinds: readonly string[], kind: string): boolean => kinds.some((selector) => selectorKind(selector) === kind);
const filters = (resources: MatchResources): ResourceFilter[] => [...resources.any, ...resources.all];
const allKinds = (resources: MatchResources | undefined): string[] => (resources ? filters(resources).flatMap((filter) => filter.resources.kinds) : []);

/** Kyverno's checkAutogenSupport on one description: no names, selectors or annotations, and Pod not mixed with other kinds. */
function supportsAutogen(description: ResourceDescription): boolean {
  if (description.names.length > 0 || description.selector !== undefined || description.annotations !== undefined) return false;
  return !(description.kinds.length > 1 && containsKind(description.kinds, 'Pod'));
}

/** CanAutoGen: whether any rule can be generated for controllers at all. */
function canAutogen(rules: readonly Rule[]): boolean {
  let needed = false;
  for (const rule of rules) {
    if (rule.otherTypes.includes('generate')) return false;
    for (const filter of [...filters(rule.match), ...(rule.exclude ? filters(rule.exclude) : [])]) {
      if (!supportsAutogen(filter.resources)) return false;
      needed ||= filter.resources.kinds.some((kind) => kind === 'Pod' || POD_CONTROLLERS.includes(kind));
    }
  }
  return needed;
}

function autogenName(prefix: string, name: string): string {
  return `${prefix}-${name}`.slice(0, NAME_LIMIT);
}

/** Kinds of the filters that name `only` (or of every filter when `only` is undefined) replaced by `kinds` as GVKs. */
function replaceKinds(resources: MatchResources, kinds: readonly string[], only: string | undefined): MatchResources {
  const replace = (filter: ResourceFilter): ResourceFilter =>
    only === undefined || containsKind(filter.resources.kinds, only) ? { ...filter, resources: { ...filter.resources, kinds: toGvk(kinds) } } : filter;
  return { any: resources.any.map(replace), all: resources.all.map(replace) };
}

function generateRule(name: string, rule: Rule, kinds: readonly string[], only: string | undefined): Rule {
  return {
    name,
    match: replaceKinds(rule.match, kinds, only),
    ...(rule.exclude ? { exclude: replaceKinds(rule.exclude, kinds, only) } : {}),
    // Kyverno's generated rule keeps match, exclude, conditions and verifyImages: the controllers' standard extractors apply.
    imageExtractors: {},
    verifyImages: rule.verifyImages,
    otherTypes: rule.otherTypes,
  };
}

function splitKinds(controllers: string): string[] {
  return controllers.split(',').sort();
}

function ruleForControllers(rule: Rule, controllers: string): Rule | undefined {
  if (rule.name.startsWith('autogen-') || controllers === '') return undefined;
  const excludeKinds = allKinds(rule.exclude);
  if (!containsKind(allKinds(rule.match), 'Pod') || (excludeKinds.length > 0 && !containsKind(excludeKinds, 'Pod'))) return undefined;
  let kinds = controllers;
  if (controllers === 'all') kinds = 'DaemonSet,Deployment,Job,StatefulSet,ReplicaSet,ReplicationController';
  else if (controllers !== 'none') {
    const validated = splitKinds(controllers).filter((kind) => kind !== 'CronJob' && POD_CONTROLLERS.includes(kind));
    if (validated.length > 0) kinds = validated.join(',');
  }
  return generateRule(autogenName('autogen', rule.name), rule, splitKinds(kinds), 'Pod');
}

function cronJobRule(rule: Rule, controllers: string): Rule | undefined {
  if (!controllers.includes('CronJob') && !controllers.includes('all')) return undefined;
  const base = ruleForControllers(rule, controllers);
  return base && generateRule(autogenName('autogen-cronjob', rule.name), base, ['CronJob'], undefined);
}

/** The rules as written plus Kyverno's generated ones, unless the annotation says `none` or a rule rules autogen out. */
export function withAutogenRules(rules: readonly Rule[], annotations: Record<string, string>): Rule[] {
  if (!canAutogen(rules)) return [...rules];
  const annotation = annotations[AUTOGEN_CONTROLLERS_ANNOTATION];
  const controllers = annotation ?? POD_CONTROLLERS.join(',');
  if (controllers === 'none') return [...rules];
  const withoutCronJob = splitKinds(controllers)
    .filter((kind) => kind !== 'CronJob')
    .join(',');
  const generated: Rule[] = [];
  for (const rule of rules) {
    const forControllers = ruleForControllers(rule, withoutCronJob);
    if (forControllers) generated.push(forControllers);
    const forCronJob = cronJobRule(rule, controllers);
    if (forCronJob) generated.push(forCronJob);
  }
  if (generated.length === 0) return [...rules];
  return [...rules.filter((rule) => !rule.name.startsWith('autogen-')), ...generated];
}
