// examples/serve stays loadable: the TrustPolicy/TrustStore samples pass every check once a real CA is pasted in.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildSnapshot, EMPTY_SNAPSHOT, formatIssue, parseManifestText } from '../../src/config/index.js';
import { notaryConfigValidators, parseCheckImagesRequest } from '../../src/service/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { REPO_ROOT } from '../support/fixtures.js';

const EXAMPLES = join(REPO_ROOT, 'examples/serve');
const PLACEHOLDER = /-----BEGIN CERTIFICATE-----\n\s*REPLACE[^\n]*\n\s*-----END CERTIFICATE-----/;

async function exampleFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(EXAMPLES)).sort()) files[name] = await readFile(join(EXAMPLES, name), 'utf8');
  return files;
}

function load(files: Record<string, string>) {
  return buildSnapshot(
    Object.entries(files).map(([file, text]) => parseManifestText(file, text)),
    EMPTY_SNAPSHOT,
    { validators: notaryConfigValidators },
  );
}

test('as shipped: only the placeholder CA is reported, everything else loads', async () => {
  const snapshot = load(await exampleFiles());
  expect(snapshot.issues.map(formatIssue)).toEqual([
    'kyverno-policy.yaml: document 1: ignored: not a notation.nirmata.io/v1alpha1 TrustPolicy or TrustStore (apiVersion "kyverno.io/v1", kind "ClusterPolicy")',
    expect.stringMatching(/^truststore\.yaml: document 1 \(TrustStore "example-ca"\): spec\.caBundle: certificate 1 is not a valid X\.509 certificate/),
    'trustpolicy.yaml: document 1 (TrustPolicy "tp-default"): spec.trustPolicies[].trustStores: no TrustStore resource provides ca:example-ca; verifications that need it fail until one is added',
    'trustpolicy.yaml: document 2 (TrustPolicy "tp-team-a"): spec.trustPolicies[].trustStores: no TrustStore resource provides ca:example-ca; verifications that need it fail until one is added',
  ]);
  expect([...snapshot.trustPolicies.keys()]).toEqual(['tp-default', 'tp-team-a']);
});

test('with a real CA pasted in: no issue but the ignored Kyverno policy', async () => {
  const files = await exampleFiles();
  const indented = E2E_CERT_PEM.trim().split('\n').map((line) => `    ${line}`).join('\n');
  files['truststore.yaml'] = (files['truststore.yaml'] as string).replace(PLACEHOLDER, indented.trimStart());
  const snapshot = load(files);
  expect(snapshot.issues.filter((i) => i.severity === 'error').map(formatIssue)).toEqual([]);
  expect(snapshot.trustPolicies.get('tp-team-a')?.trustStores.has('ca:example-ca')).toBe(true);
});

test('the Kyverno policy calls /checkimages the way kyverno-notation-aws is called', async () => {
  const policy = parseYaml(await readFile(join(EXAMPLES, 'kyverno-policy.yaml'), 'utf8')) as {
    spec: { rules: { context: { name: string; apiCall: { method: string; data: { key: string }[]; service: { url: string } } }[]; mutate: { foreach: { list: string }[] } }[] };
  };
  const rule = policy.spec.rules[0];
  const call = rule?.context.find((c) => c.name === 'response')?.apiCall;
  expect(call?.method).toBe('POST');
  expect(call?.service.url).toMatch(/\/checkimages$/);
  expect(call?.data.map((d) => d.key)).toEqual(['images', 'trustPolicy', 'attestations', 'metadata']);
  // Seed 000's attestations, escaped condition keys included, are a request the service accepts.
  const attestations = (call?.data.find((d) => d.key === 'attestations') as { value?: unknown } | undefined)?.value;
  const image = { registry: 'registry.example.com', path: 'team-a/app', name: 'app', tag: 'v1' };
  const parsed = parseCheckImagesRequest({ images: { containers: { app: image } }, attestations });
  if (!parsed.ok) throw new Error(parsed.message);
  expect(parsed.request.images[0]?.attestations.map((a) => [a.type, a.conditions.length])).toEqual([
    ['sbom/cyclone-dx', 1],
    ['application/sarif+json', 1],
    ['application/vnd.cyclonedx', 1],
  ]);
  expect(JSON.stringify(attestations)).toContain('"key":"\\\\{{creationInfo.licenseListVersion}}"');
  expect(rule?.mutate.foreach[0]?.list).toBe('response.results');
});
