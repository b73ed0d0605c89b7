// `imgverify convert`: a Kyverno policy becomes ours by apiVersion and kind alone (comments, order and spec kept); anything else is refused with exit 2.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT, LOCAL_FIXTURES } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';

const NOTARY_POLICY = resolve(LOCAL_FIXTURES, 'webhook/check-image-notary.yaml');
const SERVICE_POLICY = resolve(REPO_ROOT, 'deploy/samples/kyverno-policy.yaml');

test("Kyverno's Notary policy: only apiVersion and kind change, the spec and comments are the same", async () => {
  const run = await runCli('convert', NOTARY_POLICY);
  expect([run.code, run.stderr]).toEqual([0, '']);
  const original = parse(readFileSync(NOTARY_POLICY, 'utf8')) as Record<string, unknown>;
  const converted = parse(run.stdout) as Record<string, unknown>;
  expect(converted).toEqual({ ...original, apiVersion: 'imgverify.dev/v1alpha1', kind: 'ClusterImageVerificationPolicy' });
  expect(run.stdout).toContain('# Kyverno\'s Notary verifyImages policy from its documentation');
});

test('several files and documents: one YAML stream, Policy → ImageVerificationPolicy, ours unchanged; rules without verifyImages are named on stderr', async () => {
  const run = await runCli('convert', NOTARY_POLICY, SERVICE_POLICY);
  expect(run.code).toBe(0);
  const documents = parseAllDocuments(run.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } });
  expect(documents.map((d) => [d.apiVersion, d.kind, d.metadata.name])).toEqual([
    ['imgverify.dev/v1alpha1', 'ClusterImageVerificationPolicy', 'check-image-notary'],
    ['imgverify.dev/v1alpha1', 'ClusterImageVerificationPolicy', 'check-images'],
  ]);
  expect(run.stderr).toBe(`Warning: ${SERVICE_POLICY}, document 1 (check-images): imgverify evaluates verifyImages rules only; rules without one are kept but ignored: call-imgverify\n`);
});

test.each([
  { name: 'a Deployment', text: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n', message: 'apps/v1 Deployment is not a Kyverno policy (kyverno.io/v1 or v2beta1 ClusterPolicy or Policy)' },
  { name: 'a newer Kyverno kind', text: 'apiVersion: policies.kyverno.io/v1alpha1\nkind: ImageValidatingPolicy\nmetadata: {name: x}\n', message: 'policies.kyverno.io/v1alpha1 ImageValidatingPolicy is not a Kyverno policy (kyverno.io/v1 or v2beta1 ClusterPolicy or Policy)' },
])('$name is refused with exit 2, naming the file and document', async ({ text, message }) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(resolve(tmpdir(), 'imgverify-convert-'));
  try {
    const file = resolve(dir, 'in.yaml');
    await writeFile(file, `---\n# empty first\n---\n${text}`);
    const run = await runCli('convert', file);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}, document 2: ${message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
