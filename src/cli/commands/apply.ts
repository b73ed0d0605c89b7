// `imgverify apply --policy P --resource R`: Kyverno verifyImages policies on resource files, as `kyverno apply` reports them.
import { stringify } from 'yaml';
import { blocksRequest, formatPolicyIssue, type EngineResponse, type RuleResponse } from '../../policy/index.js';
import type { RegistryClient } from '../../oci/index.js';
import { EXIT_FAILED, EXIT_OK, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { reportError, timeoutSignal } from '../options.js';
import { loadPolicies, loadResources, parseMirrors, policyEngine, requestForResource, type LoadedResource } from './policy-files.js';

export interface ApplyCommandOptions extends RegistryCliOptions, LogCliOptions {
  policy: string[];
  resource: string[];
  output?: 'json' | 'yaml';
  registryMirror: string[];
  subresource?: string;
  timeout?: string;
}

interface Applied {
  resource: LoadedResource;
  response: EngineResponse;
}

const STATUSES = ['pass', 'fail', 'warn', 'error', 'skip'] as const;

function summary(applied: readonly Applied[]): Record<(typeof STATUSES)[number], number> {
  const counts = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const { response } of applied) for (const rule of response.rules) counts[rule.status] += 1;
  return counts;
}

function resultRow(resource: LoadedResource, rule: RuleResponse) {
  return {
    policy: rule.policy,
    ...(rule.namespace !== undefined ? { policyNamespace: rule.namespace } : {}),
    rule: rule.rule,
    resource: resource.label,
    result: rule.status,
    message: rule.message,
    ...(rule.error ? { code: rule.error.code } : {}),
    blocking: blocksRequest(rule),
  };
}

/** Kyverno's text report: per policy and resource the rule results, the mutated resources, then the counts. */
function textReport(applied: readonly Applied[], ruleCount: number): string {
  let out = `Applying ${ruleCount} policy rule(s) to ${applied.length} resource(s)...\n`;
  for (const { resource, response } of applied) {
    const byPolicy = new Map<string, RuleResponse[]>();
    for (const rule of response.rules) byPolicy.set(rule.policy, [...(byPolicy.get(rule.policy) ?? []), rule]);
    for (const [policy, rules] of byPolicy) {
      const failed = rules.some((rule) => rule.status === 'fail' || rule.status === 'error');
      out += `\npolicy ${policy} -> resource ${resource.label} ${failed ? 'failed' : 'passed'}:\n`;
      rules.forEach((rule, index) => (out += `${index + 1}. ${rule.rule}: ${rule.status}: ${rule.message}${blocksRequest(rule) ? ' (blocking)' : ''}\n`));
    }
    if (response.patches.length > 0) out += `\nmutated resource ${resource.label}:\n---\n${stringify(response.patched)}`;
  }
  const counts = summary(applied);
  return `${out}\n${STATUSES.map((status) => `${status}: ${counts[status]}`).join(', ')}\n`;
}

/** Exit 0 when no enforced rule fails, 1 when one does, 2 for bad input (policies, resources, flags). */
export async function runApply(options: ApplyCommandOptions, deps: { client: RegistryClient; output?: CliOutput }): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const signal = timeoutSignal(options.timeout);
    const mirrors = parseMirrors(options.registryMirror);
    const { policies, warnings } = await loadPolicies(options.policy);
    for (const warning of warnings) output.stderr(`Warning: ${formatPolicyIssue(warning)}\n`);
    const resources = await loadResources(options.resource);
    const engine = policyEngine(policies, deps.client, mirrors);
    const applied: Applied[] = [];
    for (const resource of resources) applied.push({ resource, response: await engine.evaluate(requestForResource(resource, options.subresource), signal) });
    if (options.output) {
      const report = {
        results: applied.flatMap(({ resource, response }) => response.rules.map((rule) => resultRow(resource, rule))),
        resources: applied.map(({ resource, response }) => ({ resource: resource.label, patches: response.patches, patched: response.patched })),
        summary: summary(applied),
      };
      output.stdout(options.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : stringify(report));
    } else {
      output.stdout(textReport(applied, policies.reduce((count, policy) => count + policy.rules.filter((rule) => rule.verifyImages.length > 0).length, 0)));
    }
    return applied.some(({ response }) => response.rules.some(blocksRequest)) ? EXIT_FAILED : EXIT_OK;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
