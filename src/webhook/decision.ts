// What an admission answer says, from the engine's rule responses as Kyverno's webhook words it: the denial text and the warnings (whether a rule blocks is the engine's blocksRequest).
import { goYamlNestedStringMap } from '../common/index.js';
import { MAX_WARNING_CHARS, MAX_WARNINGS } from './constants.js';
import type { RuleResponse } from '../policy/index.js';

export type FailurePolicy = 'Fail' | 'Ignore';

/** Kyverno's rule message for a precondition that did not hold: never part of a denial. */
const PRECONDITIONS_NOT_MET = 'preconditions not met';

/** `Kind/namespace/name` of the admitted object, as Kyverno names it in a denial. */
export function resourceName(kind: string, object: unknown, namespace = '', name = ''): string {
  const metadata = typeof object === 'object' && object !== null ? (object as { metadata?: { name?: unknown; namespace?: unknown } }).metadata : undefined;
  const objectName = typeof metadata?.name === 'string' ? metadata.name : name;
  const objectNamespace = typeof metadata?.namespace === 'string' ? metadata.namespace : namespace;
  return `${kind}/${objectNamespace}/${objectName}`;
}

/**
 * Kyverno's GetBlockedMessages: every rule that neither passed nor was skipped, grouped by policy
 * name, as yaml.v2 marshals a map (sorted keys), after Kyverno's header line.
 */
export function blockedMessage(rules: readonly RuleResponse[], resource: string): string {
  const failures: Record<string, Record<string, string>> = {};
  for (const rule of rules) {
    if (rule.status === 'pass' || rule.status === 'skip' || rule.message === PRECONDITIONS_NOT_MET) continue;
    (failures[rule.policy] ??= {})[rule.rule] = rule.message;
  }
  if (Object.keys(failures).length === 0) return '';
  return `\n\nresource ${resource} was blocked due to the following policies \n\n${goYamlNestedStringMap(failures)}`;
}

/** Kyverno's GetWarningMessages (`policy <name>.<rule>: <message>` per rule neither passed nor skipped), bounded in count and length. */
export function warningMessages(rules: readonly RuleResponse[]): string[] {
  const warnings: string[] = [];
  for (const rule of rules) {
    if (rule.status === 'pass' || rule.status === 'skip') continue;
    if (warnings.length === MAX_WARNINGS) break;
    const warning = `policy ${rule.policy}.${rule.rule}: ${rule.message}`;
    warnings.push(warning.length > MAX_WARNING_CHARS ? `${warning.slice(0, MAX_WARNING_CHARS - 1)}…` : warning);
  }
  return warnings;
}
