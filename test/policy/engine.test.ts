// What the engine decides before any registry is asked: which rules apply, bounds, extraction failures, blocking.
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/oci/index.js';
import { blocksRequest, createPolicyEngine, notaryAttestorVerifier, registryResolver, type RuleResponse } from '../../src/policy/index.js';
import { MAX_IMAGES_PER_RULE } from '../../src/policy/engine.js';
import { pod, policiesOf, requestFor, seedText } from './support.js';

// Nothing here reaches a registry: a closed loopback port would answer REGISTRY_UNAVAILABLE if anything tried.
const client = new RegistryClient({ plainHttpForLocalhost: true });
const engine = (text = seedText('004-check-image-notary.yaml')) =>
  createPolicyEngine({ policies: policiesOf(text), resolver: registryResolver(client), verifiers: { Notary: notaryAttestorVerifier({ client }) }, registryMirrors: { 'ghcr.io': '127.0.0.1:9' } });
const signal = new AbortController().signal;
afterAll(() => client.close());

describe('engine without a registry', () => {
  it.each([
    { name: 'an image no imageReferences names', request: requestFor(pod('docker.io/library/nginx:1')) },
    { name: 'a kind no rule matches', request: requestFor({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} }) },
    { name: 'a DELETE', request: requestFor(pod('ghcr.io/kyverno/test-verify-image:signed'), { operation: 'DELETE' }) },
  ])('$name: no rule response, the resource unchanged', async ({ request }) => {
    const response = await engine().evaluate(request, signal);
    expect(response).toEqual({ rules: [], patches: [], patched: request.object, verifiedImages: [] });
  });

  it(`more than ${MAX_IMAGES_PER_RULE} images: an error that blocks, whatever the failure policy`, async () => {
    const object = pod('x');
    (object.spec as { containers: unknown[] }).containers = Array.from({ length: MAX_IMAGES_PER_RULE + 1 }, (_, index) => ({ name: `c${index}`, image: `ghcr.io/kyverno/test-verify-image:${index}` }));
    const ignore = seedText('004-check-image-notary.yaml').replace('failurePolicy: Fail', 'failurePolicy: Ignore');
    const response = await engine(ignore).evaluate(requestFor(object), signal);
    expect(response.rules.map((rule) => [rule.status, rule.message, blocksRequest(rule)])).toEqual([
      ['error', `failed to extract images: the resource has ${MAX_IMAGES_PER_RULE + 1} images, more than the limit of ${MAX_IMAGES_PER_RULE}`, true],
    ]);
  });

  it('an extractor whose jmesPath gives no string fails the rule as Kyverno does', async () => {
    const text = seedText('004-check-image-notary.yaml')
      .replace('              - Pod', '              - DataVolume')
      .replace('      verifyImages:', '      imageExtractors:\n        DataVolume:\n          - path: /spec/url\n            jmesPath: "length(@)"\n      verifyImages:');
    const response = await engine(text).evaluate(requestFor({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'd' }, spec: { url: 'ghcr.io/x/y:1' } }), signal);
    expect(response.rules.map((rule) => [rule.status, rule.message])).toEqual([['error', 'failed to extract images: jmespath length(@) must produce a string, but produced 13']]);
  });

  it.each([
    { status: 'fail', failureAction: 'Enforce', failurePolicy: 'Fail', code: 'SIGNATURE_NOT_FOUND', blocks: true },
    { status: 'fail', failureAction: 'Audit', failurePolicy: 'Fail', code: 'SIGNATURE_NOT_FOUND', blocks: false },
    { status: 'fail', failureAction: 'Enforce', failurePolicy: 'Ignore', code: 'UNTRUSTED_SIGNER', blocks: true },
    { status: 'error', failureAction: 'Enforce', failurePolicy: 'Ignore', code: 'REGISTRY_UNAVAILABLE', blocks: false },
    { status: 'error', failureAction: 'Enforce', failurePolicy: 'Ignore', code: 'TIMEOUT', blocks: false },
    { status: 'error', failureAction: 'Enforce', failurePolicy: 'Ignore', code: 'UNAUTHORIZED', blocks: true },
    { status: 'error', failureAction: 'Enforce', failurePolicy: 'Fail', code: 'REGISTRY_UNAVAILABLE', blocks: true },
    { status: 'error', failureAction: 'Audit', failurePolicy: 'Fail', code: 'POLICY_RESOURCE_INVALID', blocks: true },
    { status: 'error', failureAction: 'Audit', failurePolicy: 'Ignore', code: 'POLICY_RESOURCE_INVALID', blocks: false },
    { status: 'skip', failureAction: 'Enforce', failurePolicy: 'Fail', code: undefined, blocks: false },
    { status: 'pass', failureAction: 'Enforce', failurePolicy: 'Fail', code: undefined, blocks: false },
  ] as const)('blocksRequest: $status under $failureAction/$failurePolicy ($code) → $blocks', ({ status, failureAction, failurePolicy, code, blocks }) => {
    const rule: RuleResponse = { policy: 'p', rule: 'r', type: 'ImageVerify', status, message: '', failureAction, failurePolicy, ...(code ? { error: { code, message: '' } } : {}) };
    expect(blocksRequest(rule)).toBe(blocks);
  });
});

it('a cancelled evaluation rejects (the caller decides), it is never a verdict', async () => {
  const controller = new AbortController();
  controller.abort(new Error('deadline'));
  await expect(engine().evaluate(requestFor(pod('ghcr.io/kyverno/test-verify-image:signed')), controller.signal)).rejects.toThrow('deadline');
});
