// Reading policies: the seeds as Kyverno reads them, schema and semantic errors naming file/policy/rule/field,
// the legacy form, autogen and its annotation, image extraction; and the schema copy matches the CRD.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policySchemaText, SCHEMA_FILE } from '../../scripts/kyverno-policy-schema.js';
import { extractImages } from '../../src/policy/images.js';
import { formatPolicyIssue, parsePolicies } from '../../src/policy/index.js';
import { policiesOf, seedText } from './support.js';

describe('seed policies', () => {
  it.each([
    ['001-check-image.yaml', 'check-image', ['check-image', 'autogen-check-image', 'autogen-cronjob-check-image']],
    ['001-attest-code-review.yaml', 'attest-code-review', ['attest', 'autogen-attest', 'autogen-cronjob-attest']],
    ['001-signed-task-image.yaml', 'signed-task-image', ['check-signature']],
    ['003-verify-image-legacy.yaml', 'check-image', ['check-image', 'autogen-check-image', 'autogen-cronjob-check-image']],
    ['004-check-image-notary.yaml', 'check-image-notary', ['verify-signature-notary', 'autogen-verify-signature-notary', 'autogen-cronjob-verify-signature-notary']],
  ])('%s reads without issues, with its autogen rules', (file, name, rules) => {
    const { policies, issues } = parsePolicies([{ origin: file, text: seedText(file) }]);
    expect(issues).toEqual([]);
    expect(policies.map((policy) => [policy.name, policy.validationFailureAction, policy.rules.map((rule) => rule.name)])).toEqual([[name, 'Enforce', rules]]);
  });

  it('autogen: Pod kinds become the controllers\' GVKs (sorted), CronJob its own rule; the annotation narrows or disables it', () => {
    const [policy] = policiesOf(seedText('001-check-image.yaml'));
    expect(policy?.rules.map((rule) => rule.match.any.map((filter) => filter.resources.kinds))).toEqual([
      [['Pod']],
      [['apps/v1/DaemonSet', 'apps/v1/Deployment', 'batch/v1/Job', 'apps/v1/ReplicaSet', 'v1/ReplicationController', 'apps/v1/StatefulSet']],
      [['batch/v1/CronJob']],
    ]);
    const annotated = (value: string) =>
      policiesOf(seedText('001-check-image.yaml').replace('  name: check-image\n', `  name: check-image\n  annotations:\n    pod-policies.kyverno.io/autogen-controllers: ${value}\n`))[0]?.rules.map((rule) => [rule.name, rule.match.any[0]?.resources.kinds]);
    expect(annotated('none')).toEqual([['check-image', ['Pod']]]);
    expect(annotated('Deployment,CronJob')).toEqual([
      ['check-image', ['Pod']],
      ['autogen-check-image', ['apps/v1/Deployment']],
      ['autogen-cronjob-check-image', ['batch/v1/CronJob']],
    ]);
    expect(annotated('Deployment')).toEqual([
      ['check-image', ['Pod']],
      ['autogen-check-image', ['apps/v1/Deployment']],
    ]);
  });

  it('seed 003\'s legacy image/key become imageReferences and a keys attestor', () => {
    const [policy] = policiesOf(seedText('003-verify-image-legacy.yaml'));
    const verification = policy?.rules[0]?.verifyImages[0];
    expect(verification?.imageReferences).toEqual(['ghcr.io/kyverno/test-verify-image:*']);
    expect(verification?.attestors).toEqual([{ entries: [{ keys: { publicKeys: expect.stringContaining('MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8nXRh950IZbRj8Ra') as string, signatureAlgorithm: 'sha256' } }] }]);
    expect(verification && [verification.type, verification.mutateDigest, verification.verifyDigest, verification.required]).toEqual(['Cosign', true, true, true]);
  });
});

describe('policy issues name file, policy, rule and field', () => {
  const policy = (rule: string, spec = 'validationFailureAction: Enforce') =>
    `apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec:\n  ${spec}\n  rules:\n  - name: r\n    match: {any: [{resources: {kinds: [Pod]}}]}\n${rule}`;
  it.each([
    {
      name: 'a schema type error',
      text: policy('    verifyImages: [{imageReferences: ["*"], mutateDigest: "yes", attestors: [{entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p spec.rules[0].verifyImages[0].mutateDigest: must be boolean',
    },
    {
      name: 'an enum the CRD does not allow',
      text: policy('    verifyImages: [{imageReferences: ["*"], type: Sigstore, attestors: [{entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p spec.rules[0].verifyImages[0].type: must be one of "Cosign", "SigstoreBundle", "Notary"',
    },
    {
      name: 'count above the entries',
      text: policy('    verifyImages: [{imageReferences: ["*"], attestors: [{count: 2, entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p/r spec.rules[0].verifyImages[0].attestors[0]: Count cannot exceed length of entries',
    },
    {
      name: 'an entry with two attestor kinds',
      text: policy('    verifyImages: [{imageReferences: ["*"], attestors: [{entries: [{keys: {publicKeys: k}, certificates: {cert: c}}]}]}]'),
      issue: 'f.yaml: p/r spec.rules[0].verifyImages[0].attestors[0].entries[0]: keys, certificates, keyless, or a nested attestor is required',
    },
    {
      name: 'keys for Notary',
      text: policy('    verifyImages: [{type: Notary, imageReferences: ["*"], attestors: [{entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p/r spec.rules[0].verifyImages[0].attestors: Keys field is not allowed for type notary',
    },
    {
      name: 'no image reference',
      text: policy('    verifyImages: [{attestors: [{entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p/r spec.rules[0].verifyImages[0]: An image reference is required',
    },
    {
      name: 'mutateDigest under Audit',
      text: policy('    verifyImages: [{imageReferences: ["*"], attestors: [{entries: [{keys: {publicKeys: k}}]}]}]', 'validationFailureAction: Audit'),
      issue: "f.yaml: p/r spec.rules[0].verifyImages[0].mutateDigest: mutateDigest must be set to false for 'Audit' failure action",
    },
    {
      name: 'a bad condition operator',
      text: policy('    verifyImages: [{imageReferences: ["*"], attestations: [{type: t, conditions: [{all: [{key: a, operator: Equls, value: b}]}]}]}]'),
      issue: expect.stringMatching(/^f\.yaml: p spec\.rules\[0\]\.verifyImages\[0\]\.attestations\[0\]\.conditions\[0\]\.all\[0\]\.operator: must be one of "Equals", "NotEquals", /) as string,
    },
    {
      name: 'validate inside verifyImages (not run here, so refused)',
      text: policy('    verifyImages: [{imageReferences: ["*"], validate: {deny: {conditions: {any: []}}}, attestors: [{entries: [{keys: {publicKeys: k}}]}]}]'),
      issue: 'f.yaml: p/r spec.rules[0].verifyImages[0].validate: validate in verifyImages is not supported by imgverify',
    },
    { name: 'not a policy', text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n', issue: 'f.yaml: x: not a Kyverno policy (apiVersion "v1", kind "Pod"; expected kyverno.io/v1 ClusterPolicy or Policy)' },
  ])('$name', ({ text, issue }) => {
    const { policies, issues } = parsePolicies([{ origin: 'f.yaml', text }]);
    expect(policies).toEqual([]);
    expect(issues.filter((found) => found.severity === 'error').map(formatPolicyIssue)).toEqual([issue]);
  });

  it('an unknown field is a warning (the API server prunes it) and the policy is kept', () => {
    const text = policy('    verifyImages: [{imageReferences: ["*"], attestors: [{entries: [{keys: {publicKeys: k, rekor: {url: u, pubKey: x}}}]}]}]');
    const { policies, issues } = parsePolicies([{ origin: 'f.yaml', text }]);
    expect(policies.map((found) => found.name)).toEqual(['p']);
    expect(issues.map(formatPolicyIssue)).toEqual(["f.yaml: p spec.rules[0].verifyImages[0].attestors[0].entries[0].keys.rekor.pubKey: unknown field (Kyverno's API server prunes it: it has no effect)"]);
  });
});

describe('image extraction', () => {
  it('Pod lists in Kyverno\'s order (init, containers, ephemeral) with pointers and Kyverno\'s image fields', () => {
    const pod = { spec: { containers: [{ name: 'a', image: 'nginx' }], initContainers: [{ name: 'i', image: 'ghcr.io/org/init:1@sha256:' + 'a'.repeat(64) }] } };
    expect(extractImages(pod, 'Pod', {}).map(({ parsed, ...info }) => [info, parsed.repository])).toEqual([
      [
        {
          registry: 'ghcr.io',
          path: 'org/init',
          name: 'init',
          tag: '1',
          digest: `sha256:${'a'.repeat(64)}`,
          reference: `ghcr.io/org/init@sha256:${'a'.repeat(64)}`,
          referenceWithTag: 'ghcr.io/org/init:1',
          pointer: '/spec/initContainers/0/image',
          extractor: 'initContainers',
          key: 'i',
        },
        'org/init',
      ],
      [
        { registry: 'docker.io', path: 'nginx', name: 'nginx', tag: 'latest', digest: '', reference: 'docker.io/nginx:latest', referenceWithTag: 'docker.io/nginx:latest', pointer: '/spec/containers/0/image', extractor: 'containers', key: 'a' },
        'library/nginx',
      ],
    ]);
  });

  it('a custom extractor without `value` takes the last path segment; a bad image fails the rule', () => {
    const configs = { PipelineRun: [{ path: '/spec/pipelineRef/bundle' }] };
    expect(extractImages({ spec: { pipelineRef: { bundle: 'ghcr.io/org/bundle:v1' } } }, 'PipelineRun', configs).map((image) => [image.pointer, image.extractor, image.reference])).toEqual([
      ['/spec/pipelineRef/bundle', 'custom', 'ghcr.io/org/bundle:v1'],
    ]);
    expect(() => extractImages({ spec: { pipelineRef: { bundle: 'UPPER/Case' } } }, 'PipelineRun', configs)).toThrow(/^invalid image 'UPPER\/Case'/);
  });
});

it('schemas/kyverno-policy.schema.json is generated from Kyverno\'s CRD (node scripts/kyverno-policy-schema.js rewrites it)', () => {
  expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(policySchemaText());
});
