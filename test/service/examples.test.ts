// examples/serve loads without issues as shipped (issue 18), and the Kyverno policy beside it calls /checkimages as the peer is called.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildSnapshot, EMPTY_SNAPSHOT, formatIssue, parseManifestText } from '../../src/config/index.js';
import { notaryConfigValidators, parseCheckImagesRequest } from '../../src/service/index.js';
import { REPO_ROOT } from '../support/fixtures.js';

const EXAMPLES = join(REPO_ROOT, 'examples');
const CONFIG_DIR = join(EXAMPLES, 'serve');

test('examples/serve as shipped: every resource loads, no issue at all (the Kyverno policy lives beside the folder)', async () => {
  const units = [];
  for (const name of (await readdir(CONFIG_DIR)).sort()) units.push(parseManifestText(name, await readFile(join(CONFIG_DIR, name), 'utf8')));
  const snapshot = buildSnapshot(units, EMPTY_SNAPSHOT, { validators: notaryConfigValidators });
  expect(snapshot.issues.map(formatIssue)).toEqual([]);
  expect([...snapshot.trustPolicies.keys()]).toEqual(['tp-default', 'tp-team-a']);
  for (const entry of snapshot.trustPolicies.values()) {
    expect([entry.missingTrustStores, entry.compileError]).toEqual([[], undefined]);
  }
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
