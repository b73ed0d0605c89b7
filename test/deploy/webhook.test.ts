// deploy/overlays/webhook: renders offline, every object valid against the Kubernetes schemas, RBAC exactly what the webhook calls, flags the `webhook` command has; samples are the seeds converted and valid for our CRDs and the policy parser.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { buildProgram } from '../../src/cli/program/index.js';
import { parsePolicies } from '../../src/policy/index.js';
import { DEFAULT_WEBHOOK_LEASE } from '../../src/service/index.js';
import { convertPolicies } from '../../src/webhook/index.js';
import { crdValidator, structuralProblems, type Crd } from '../support/crd-schema.js';
import { LOCAL_FIXTURES, REPO_ROOT } from '../support/fixtures.js';

const run = promisify(execFile);
const OVERLAY = resolve(REPO_ROOT, 'deploy/overlays/webhook');
const SEEDS = resolve(LOCAL_FIXTURES, 'policy/seeds');

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

let objects: K8sObject[] = [];
beforeAll(async () => {
  const { stdout } = await run('kubectl', ['kustomize', OVERLAY], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  objects = parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}, 60_000);

test('every object validates against the Kubernetes schemas', async () => {
  expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
    'ClusterRole /imgverify-webhook',
    'ClusterRoleBinding /imgverify-webhook',
    'CustomResourceDefinition /clusterimageverificationpolicies.imgverify.dev',
    'CustomResourceDefinition /imageverificationpolicies.imgverify.dev',
    'Deployment imgverify/imgverify-webhook',
    'Namespace /imgverify',
    'PodDisruptionBudget imgverify/imgverify-webhook',
    'Role imgverify/imgverify-webhook',
    'RoleBinding imgverify/imgverify-webhook',
    'Service imgverify/imgverify',
    'ServiceAccount imgverify/imgverify-webhook',
  ]);
  for (const object of objects) {
    const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = module[object.kind] as new (data: unknown) => { validate(): void };
    expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
  }
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition') as unknown as Crd[]) {
    expect(structuralProblems(crd.spec.versions[0]?.schema.openAPIV3Schema ?? {})).toEqual([]);
  }
});

test('RBAC: no wildcards, updates limited to our objects by name', () => {
  const rules = objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role').flatMap((o) => o.rules as { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[]);
  for (const rule of rules) {
    expect([...rule.apiGroups, ...rule.resources, ...rule.verbs]).not.toContain('*');
    if (rule.verbs.includes('update') && !rule.resources.every((r) => r.endsWith('/status'))) expect(rule.resourceNames?.length).toBeGreaterThan(0);
    expect(rule.verbs).not.toContain('delete');
  }
  expect(rules.find((r) => r.resources.includes('mutatingwebhookconfigurations') && r.resourceNames)?.resourceNames).toEqual(['imgverify-mutating-webhook-cfg']);
  // The webhook's own Lease (--lease-name's default), not serve's kyverno-notation-aws.
  expect(rules.find((r) => r.resources.includes('leases') && r.resourceNames)?.resourceNames).toEqual([DEFAULT_WEBHOOK_LEASE]);
});

test("the Deployment's flags are the webhook command's", () => {
  const deployment = objects.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: { args: string[] }[] } } } } | undefined;
  const args = deployment?.spec.template.spec.containers[0]?.args ?? [];
  expect(args[0]).toBe('webhook');
  const command = buildProgram().commands.find((c) => c.name() === 'webhook');
  const flags = new Set(command?.options.map((o) => o.long));
  for (const arg of args.slice(1)) expect(flags.has(arg.split('=')[0])).toBe(true);
  expect(command?.options.find((o) => o.long === '--lease-name')?.defaultValue).toBe(DEFAULT_WEBHOOK_LEASE);
});

test.each(readdirSync(SEEDS).filter((f) => f.endsWith('.yaml')))('samples/%s is the seed converted, valid for our CRD and the policy parser', (file) => {
  const sample = readFileSync(resolve(OVERLAY, 'samples', file), 'utf8');
  expect(sample).toBe(convertPolicies(readFileSync(resolve(SEEDS, file), 'utf8'), file).yaml);
  const object = parse(sample) as K8sObject;
  const crd = objects.find((o) => o.kind === 'CustomResourceDefinition' && (o.spec as { names: { kind: string } }).names.kind === object.kind) as unknown as Crd;
  expect(crdValidator(crd, 'v1alpha1').validate(object)).toEqual([]);
  const { issues } = parsePolicies([{ origin: file, text: readFileSync(resolve(SEEDS, file), 'utf8') }]);
  expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
});
