// `imgverify test <dir>`: Kyverno CLI test suites (kyverno-test.yaml: policies, resources, expected results per rule and
// resource, patched resources) run with the engine, reported as `kyverno test` does (a table; --detailed-results).
import { readdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseManifestText } from '../../config/index.js';
import type { RegistryClient } from '../../oci/index.js';
import { ANNOTATION_VERIFY_IMAGES, ANNOTATION_VERIFY_IMAGES_SCOPED, formatPolicyIssue, PolicyError, type EngineResponse, type RuleResponse, type RuleStatus } from '../../policy/index.js';
import { EXIT_FAILED, EXIT_OK, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { reportError, timeoutSignal } from '../options.js';
import { loadPolicies, loadResources, MAX_FOLDER_FILES, parseMirrors, policyEngine, readManifestText, requestForResource, type LoadedResource } from './policy-files.js';

export const TEST_FILE_NAME = 'kyverno-test.yaml';
/** Folders searched below the test directory (a suite tree deeper than this is refused, not half-read). */
const MAX_DEPTH = 8;

export interface TestCommandOptions extends RegistryCliOptions, LogCliOptions {
  fileName: string;
  detailedResults?: boolean;
  registryMirror: string[];
  timeout?: string;
}

interface ExpectedResult {
  policy: string;
  rule: string;
  resources: string[];
  kind?: string;
  namespace?: string;
  result: RuleStatus;
  patchedResource?: string;
}

interface Suite {
  file: string;
  name: string;
  policies: string[];
  resources: string[];
  results: ExpectedResult[];
}

interface Row {
  policy: string;
  rule: string;
  resource: string;
  passed: boolean;
  reason: string;
  message: string;
}

async function findSuites(dir: string, fileName: string, depth = 0, out: string[] = []): Promise<string[]> {
  if (depth > MAX_DEPTH) throw new PolicyError('POLICY_RESOURCE_INVALID', `${dir}: test folders nest deeper than ${MAX_DEPTH}`);
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.length > MAX_FOLDER_FILES) throw new PolicyError('POLICY_RESOURCE_INVALID', `${dir} holds more than ${MAX_FOLDER_FILES} entries`);
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isFile() && entry.name === fileName) out.push(join(dir, entry.name));
    else if (entry.isDirectory() && !entry.name.startsWith('.git') && entry.name !== 'node_modules') await findSuites(join(dir, entry.name), fileName, depth + 1, out);
  }
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const RESULTS: ReadonlySet<string> = new Set(['pass', 'fail', 'skip', 'warn', 'error']);

/** cli.kyverno.io/v1alpha1 Test, or the older form with `name` at the top. */
function parseSuite(file: string, value: unknown): Suite {
  const invalid = (message: string) => new PolicyError('POLICY_RESOURCE_INVALID', `${file}: ${message}`);
  if (!isRecord(value)) throw invalid('not a Kyverno test (expected policies, resources and results)');
  for (const unsupported of ['variables', 'values', 'userinfo', 'exceptions', 'context', 'checks']) {
    if (value[unsupported] !== undefined) throw invalid(`${unsupported} is not supported by imgverify test yet`);
  }
  const name = (isRecord(value.metadata) && typeof value.metadata.name === 'string' ? value.metadata.name : typeof value.name === 'string' ? value.name : undefined) ?? relative(process.cwd(), file);
  const results = (Array.isArray(value.results) ? value.results : []).map((item, index): ExpectedResult => {
    if (!isRecord(item) || typeof item.policy !== 'string' || typeof item.rule !== 'string') throw invalid(`results[${index}] needs policy and rule`);
    const result = item.result ?? item.status;
    if (typeof result !== 'string' || !RESULTS.has(result)) throw invalid(`results[${index}].result must be one of pass, fail, skip, warn, error`);
    const resources = [...strings(item.resources), ...(typeof item.resource === 'string' ? [item.resource] : [])];
    if (resources.length === 0) throw invalid(`results[${index}] names no resource`);
    return {
      policy: item.policy,
      rule: item.rule,
      resources,
      result: result as RuleStatus,
      ...(typeof item.kind === 'string' ? { kind: item.kind } : {}),
      ...(typeof item.namespace === 'string' ? { namespace: item.namespace } : {}),
      ...(typeof item.patchedResource === 'string' ? { patchedResource: item.patchedResource } : {}),
    };
  });
  return { file, name, policies: strings(value.policies), resources: strings(value.resources), results };
}

/** One result for a rule on a resource from its responses: fail, then error, then pass, then warn; none: skip. */
function ruleResult(rules: readonly RuleResponse[]): RuleStatus {
  for (const status of ['fail', 'error', 'pass', 'warn'] as const) if (rules.some((rule) => rule.status === status)) return status;
  return 'skip';
}

/** The resource without the annotations the engine writes (suites written for Kyverno do not list them). */
function withoutVerifyAnnotations(value: unknown): unknown {
  if (!isRecord(value) || !isRecord(value.metadata) || !isRecord(value.metadata.annotations)) return value;
  const { [ANNOTATION_VERIFY_IMAGES]: _a, [ANNOTATION_VERIFY_IMAGES_SCOPED]: _b, ...annotations } = value.metadata.annotations;
  void _a;
  void _b;
  const metadata = { ...value.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  return { ...value, metadata };
}

async function runSuite(suite: Suite, client: RegistryClient, mirrors: Record<string, string>, signal: AbortSignal, output: CliOutput): Promise<Row[]> {
  const base = dirname(suite.file);
  const { policies, warnings } = await loadPolicies(suite.policies.map((path) => resolve(base, path)));
  for (const warning of warnings) output.stderr(`Warning: ${formatPolicyIssue(warning)}\n`);
  const resources = await loadResources(suite.resources.map((path) => resolve(base, path)));
  const engine = policyEngine(policies, client, mirrors);
  const responses = new Map<LoadedResource, EngineResponse>();
  for (const resource of resources) responses.set(resource, await engine.evaluate(requestForResource(resource), signal));
  const rows: Row[] = [];
  for (const expected of suite.results) {
    for (const name of expected.resources) {
      const matching = resources.filter((resource) => {
        const metadata = resource.object.metadata as { name: string; namespace?: string };
        return metadata.name === name && (expected.kind === undefined || resource.object.kind === expected.kind) && (expected.namespace === undefined || (metadata.namespace ?? 'default') === expected.namespace);
      });
      const label = `${expected.kind ?? '*'}/${expected.namespace ?? '*'}/${name}`;
      if (matching.length === 0) {
        rows.push({ policy: expected.policy, rule: expected.rule, resource: label, passed: false, reason: 'Resource not found', message: '' });
        continue;
      }
      for (const resource of matching) {
        const response = responses.get(resource) as EngineResponse;
        const rules = response.rules.filter((rule) => (rule.policy === expected.policy || `${rule.namespace}/${rule.policy}` === expected.policy) && rule.rule === expected.rule);
        const actual = ruleResult(rules);
        const row: Row = { policy: expected.policy, rule: expected.rule, resource: resource.label, passed: actual === expected.result, reason: 'Ok', message: rules.map((rule) => rule.message).join('; ') };
        if (!row.passed) row.reason = `Want ${expected.result}, got ${actual}`;
        else if (expected.patchedResource !== undefined) {
          const file = resolve(base, expected.patchedResource);
          const unit = parseManifestText(file, await readManifestText(file, 'patchedResource'));
          const documents = unit.status === 'parsed' ? unit.documents.map((document) => document.value) : [];
          if (!documents.some((document) => isDeepStrictEqual(withoutVerifyAnnotations(document), withoutVerifyAnnotations(response.patched)))) {
            row.passed = false;
            row.reason = 'Patched resource didn\'t match the expected one';
          }
        }
        rows.push(row);
      }
    }
  }
  return rows;
}

/** `kyverno test`'s box table. */
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, index) => Math.max(header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = `│${widths.map((width) => '─'.repeat(width + 2)).join('│')}│\n`;
  const format = (cells: string[]) => `│${cells.map((cell, index) => ` ${cell.padEnd(widths[index] as number)} `).join('│')}│\n`;
  return line + format(headers) + line + rows.map(format).join('') + line;
}

/** Exit 0 when every suite's every expected result holds, 1 when one does not, 2 for bad suites, policies or flags. */
export async function runTest(dir: string, options: TestCommandOptions, deps: { client: RegistryClient; output?: CliOutput }): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const signal = timeoutSignal(options.timeout);
    const mirrors = parseMirrors(options.registryMirror);
    const files = await findSuites(dir, options.fileName);
    if (files.length === 0) throw new PolicyError('POLICY_RESOURCE_INVALID', `no ${options.fileName} below ${dir}`);
    let passed = 0;
    let failed = 0;
    for (const file of files) {
      const unit = parseManifestText(file, await readManifestText(file, 'test file'));
      if (unit.status !== 'parsed') throw new PolicyError('POLICY_RESOURCE_INVALID', `${file}: ${unit.message}`);
      for (const document of unit.documents) {
        const suite = parseSuite(file, document.value);
        output.stdout(`Loading test  ( ${relative(dir, file) || file} ) ...\n  Loading policies ...\n  Loading resources ...\n  Applying ${suite.policies.length} policy file(s) to ${suite.resources.length} resource file(s) ...\n  Checking results ...\n\n`);
        const rows = await runSuite(suite, deps.client, mirrors, signal, output);
        const headers = ['ID', 'POLICY', 'RULE', 'RESOURCE', 'RESULT', 'REASON', ...(options.detailedResults ? ['MESSAGE'] : [])];
        output.stdout(
          table(
            headers,
            rows.map((row, index) => [String(index + 1), row.policy, row.rule, row.resource, row.passed ? 'Pass' : 'Fail', row.reason, ...(options.detailedResults ? [row.message] : [])]),
          ) + '\n',
        );
        passed += rows.filter((row) => row.passed).length;
        failed += rows.filter((row) => !row.passed).length;
      }
    }
    output.stdout(`\nTest Summary: ${passed} tests passed and ${failed} tests failed\n`);
    return failed > 0 ? EXIT_FAILED : EXIT_OK;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
