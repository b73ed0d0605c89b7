// The engine and `imgverify apply`/`test` against the real docker-registry (one registry for all): seed 004 (Notary) with
// the test's certificate, reached as ghcr.io through a registry mirror; autogen, image extractors, count, required,
// mutateDigest, verifyDigest, registry failures under failurePolicy.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { attestImage, signatureLocation, signImage, signImageBundle } from '../../src/cosign/index.js';
import { awsKmsPublicKeys } from '../../src/aws/index.js';
import { RegistryClient, pushImage } from '../../src/oci/index.js';
import { toPem } from '../../src/pki/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import {
  blocksRequest,
  cosignAttestorVerifier,
  createPolicyEngine,
  notaryAttestorVerifier,
  registryEngineFactory,
  registryResolver,
  type CompiledKyvernoPolicy,
  type EngineResponse,
} from '../../src/policy/index.js';
import { startKmsDouble } from '../support/kms-double.js';
import { RekorLogDouble } from '../support/rekor-double.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { pod, policiesOf, requestFor, seedText, withPem } from './support.js';

const REPO = 'kyverno/test-verify-image';
/** Our verifier's detail after notation's words (a superset of Kyverno's message). */
const notInStore = (signer: string) => `no certificate of the chain (root "C=US, ST=WA, L=Seattle, O=Notary, CN=${signer} Root CA") is in the trust stores named by the trust policy`;
const IMAGE = `ghcr.io/${REPO}`;

describe('policy engine ← docker-registry (seed 004, Notary)', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  let chain: GeneratedChain;
  let other: GeneratedChain;
  const digests: Record<string, string> = {};
  const cosignKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cosignOther = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const log = new RekorLogDouble();
  const publicPem = (key: KeyObject) => toPem('PUBLIC KEY', new Uint8Array(key.export({ format: 'der', type: 'spki' })));
  const CODE_REVIEW = { author: 'alice@example.com', repo: { branch: 'main', type: 'git', uri: 'https://git-repo.com/org/app' }, reviewers: ['bob@example.com'] };

  beforeAll(async () => {
    registry = await startRegistry();
    // No retries: the offline-registry cases would otherwise wait out the back-off.
    client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 } });
    chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'policy signer', leaf: { keys: await cachedKeyPair('ec-256', 'policy-leaf') }, root: { keys: await cachedKeyPair('ec-256', 'policy-root') } });
    other = await generateCertificateChain({ keyType: 'ec-256', commonName: 'someone else', leaf: { keys: await cachedKeyPair('ec-256', 'policy-other-leaf') }, root: { keys: await cachedKeyPair('ec-256', 'policy-other-root') } });
    const repository = client.repository(registry.host, REPO);
    for (const [tag, signer] of [['signed', chain], ['unsigned', undefined], ['signed-by-someone-else', other]] as const) {
      const image = await pushImage(repository, { tag, layers: [new TextEncoder().encode(`layer ${tag}`)] });
      digests[tag] = image.descriptor.digest;
      if (signer) await signArtifact(repository, tag, { key: signer.leaf.privateKey, certificateChain: signer.chain });
    }
    // Cosign: the seed 001 images (signed with the test key / another key, tlog entries from a Rekor double) and
    // seed 001's code-review attestation on registry.io/org/app (a passing and a failing predicate).
    const cosignImage = async (repositoryName: string, tag: string) => {
      const image = await pushImage(client.repository(registry.host, repositoryName), { tag, layers: [new TextEncoder().encode(`cosign ${repositoryName}:${tag}`)] });
      digests[`${repositoryName}:${tag}`] = image.descriptor.digest;
      const pinned = { registry: registry.host, repository: repositoryName, digest: image.descriptor.digest, descriptor: image.descriptor, insecure: false };
      return { image, location: signatureLocation(client, pinned, undefined), target: { repository: `${registry.host}/${repositoryName}`, digest: pinned.digest } };
    };
    for (const [tag, key] of [['cosign-signed', cosignKey], ['cosign-other', cosignOther]] as const) {
      const { location, target } = await cosignImage(REPO, tag);
      await signImage(location, target, { privateKey: key.privateKey, bundle: log.bundle });
    }
    await cosignImage(REPO, 'cosign-unsigned');
    // A Sigstore bundle referrer only (cosign --new-bundle-format; no tlog entry), for `type: SigstoreBundle`.
    const bundled = await cosignImage(REPO, 'cosign-bundled');
    await signImageBundle(bundled.location, { manifest: bundled.image.bytes, descriptor: bundled.image.descriptor }, { privateKey: cosignKey.privateKey });
    for (const [tag, predicate] of [['reviewed', CODE_REVIEW], ['unreviewed', { ...CODE_REVIEW, repo: { ...CODE_REVIEW.repo, branch: 'dev' } }]] as const) {
      const { location, target } = await cosignImage('org/app', tag);
      await attestImage(location, target, { privateKey: cosignKey.privateKey, bundle: log.bundle, predicateType: 'https://example.com/CodeReview/v1', predicate });
    }
  }, 60_000);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imgverify-policy-'));
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), client?.close(), dir && rm(dir, { recursive: true, force: true })]);
  });

  function engine(policies: CompiledKyvernoPolicy[], mirror = registry.host, cosign = false) {
    return createPolicyEngine({
      policies,
      resolver: registryResolver(client),
      verifiers: { Notary: notaryAttestorVerifier({ client }), ...(cosign ? { Cosign: cosignAttestorVerifier({ client }) } : {}) },
      registryMirrors: { 'ghcr.io': mirror, 'registry.io': registry.host },
    });
  }
  /** A seed 001 policy with the test key, and the Rekor double's key in the attestor's `rekor` block (the CRD's `pubkey`). */
  const cosignPolicy = (file: string, keyIndent: number) => {
    const rekor = [`${' '.repeat(keyIndent)}rekor:`, `${' '.repeat(keyIndent + 2)}pubkey: |-`, ...log.publicKeyPem.trim().split('\n').map((line) => ' '.repeat(keyIndent + 4) + line)].join('\n');
    const text = withPem(seedText(file), publicPem(cosignKey.publicKey));
    return policiesOf(text.includes('\n          conditions:') ? text.replace('\n          conditions:', `\n${rekor}\n          conditions:`) : `${text.trimEnd()}\n${rekor}\n`);
  };
  const seed004 = () => policiesOf(withPem(seedText('004-check-image-notary.yaml'), chain.root.pem));
  const evaluate = (policies: CompiledKyvernoPolicy[], object: Record<string, unknown>, mirror?: string): Promise<EngineResponse> =>
    engine(policies, mirror).evaluate(requestFor(object), new AbortController().signal);
  const rows = (response: EngineResponse) => response.rules.map((rule) => [rule.rule, rule.status, rule.message]);

  it('signed → pass, the tag pinned to its digest as Kyverno writes it, and the verify-images annotations', async () => {
    const response = await evaluate(seed004(), pod(`${IMAGE}:signed`));
    const digest = digests.signed as string;
    expect(rows(response)).toEqual([['verify-signature-notary', 'pass', `verified image signatures for ${IMAGE}:signed`]]);
    expect(response.patches).toEqual([
      { op: 'replace', path: '/spec/containers/0/image', value: `${IMAGE}:signed@${digest}` },
      { op: 'add', path: '/metadata/annotations', value: {} },
      { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images', value: `{"${IMAGE}@${digest}":"pass"}` },
      { op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images-scoped', value: `{"version":1,"policies":{"/check-image-notary":{"verify-signature-notary":{"${IMAGE}@${digest}":"pass"}}}}` },
    ]);
    expect((response.patched as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image).toBe(`${IMAGE}:signed@${digest}`);
    expect(response.verifiedImages).toEqual([{ path: '/spec/containers/0/image', reference: `${IMAGE}:signed`, digest }]);
  });

  it('unsigned → fail with seed 004\'s message; the annotation written by the pod\'s author is not trusted', async () => {
    const digest = digests.unsigned as string;
    const object = pod(`${IMAGE}:unsigned`);
    (object.metadata as Record<string, unknown>).annotations = { 'kyverno.io/verify-images': `{"${IMAGE}@${digest}":"pass"}` };
    const response = await evaluate(seed004(), object);
    expect(rows(response)).toEqual([
      [
        'verify-signature-notary',
        'fail',
        `failed to verify image ${IMAGE}:unsigned: .attestors[0].entries[0]: failed to verify ${IMAGE}@${digest}: no signature is associated with "${IMAGE}@${digest}", make sure the artifact was signed successfully`,
      ],
    ]);
    expect(response.rules[0]?.error?.code).toBe('SIGNATURE_NOT_FOUND');
    expect(blocksRequest(response.rules[0] as never)).toBe(true);
    expect(response.patches.at(-2)).toEqual({ op: 'add', path: '/metadata/annotations/kyverno.io~1verify-images', value: `{"${IMAGE}@${digest}":"fail"}` });
  });

  it('signed with another key → fail: untrusted signer; the seed unchanged (its own certificate) fails the same way', async () => {
    const response = await evaluate(seed004(), pod(`${IMAGE}:signed-by-someone-else`));
    const digest = digests['signed-by-someone-else'] as string;
    expect(rows(response)).toEqual([
      ['verify-signature-notary', 'fail', `failed to verify image ${IMAGE}:signed-by-someone-else: .attestors[0].entries[0]: failed to verify ${IMAGE}@${digest}: signature is not produced by a trusted signer: ${notInStore('someone else')}`],
    ]);
    expect(response.rules[0]?.error?.code).toBe('UNTRUSTED_SIGNER');
    const unchanged = await evaluate(policiesOf(seedText('004-check-image-notary.yaml')), pod(`${IMAGE}:signed`));
    expect(unchanged.rules.map((rule) => [rule.status, rule.error?.code])).toEqual([['fail', 'UNTRUSTED_SIGNER']]);
  });

  it('Deployment and CronJob through autogen: the pod template image pinned', async () => {
    const template = { spec: { containers: [{ name: 'app', image: `${IMAGE}:signed` }] } };
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { template } };
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'default' }, spec: { jobTemplate: { spec: { template } } } };
    const d = await evaluate(seed004(), deployment);
    expect(d.rules.map((rule) => [rule.rule, rule.status])).toEqual([['autogen-verify-signature-notary', 'pass']]);
    expect(d.patches[0]).toEqual({ op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${IMAGE}:signed@${digests.signed}` });
    const c = await evaluate(seed004(), cronJob);
    expect(c.rules.map((rule) => [rule.rule, rule.status])).toEqual([['autogen-cronjob-verify-signature-notary', 'pass']]);
    expect(c.patches[0]?.path).toBe('/spec/jobTemplate/spec/template/spec/containers/0/image');
  });

  it('count 2 of 3 attestors: two trusted entries pass; one trusted and two others fail with every entry\'s error', async () => {
    const policy = (certs: string[]) =>
      policiesOf(
        seedText('004-check-image-notary.yaml').replace(/ {8}- count: 1\n {10}entries:\n[\s\S]*$/, () =>
          [
            '        - count: 2',
            '          entries:',
            ...certs.flatMap((cert) => ['          - certificates:', '              cert: |-', ...cert.trim().split('\n').map((line) => `                ${line}`)]),
            '',
          ].join('\n'),
        ),
      );
    const pass = await evaluate(policy([chain.root.pem, other.root.pem, chain.root.pem]), pod(`${IMAGE}:signed`));
    expect(pass.rules.map((rule) => rule.status)).toEqual(['pass']);
    const fail = await evaluate(policy([other.root.pem, chain.root.pem, other.root.pem]), pod(`${IMAGE}:signed`));
    const digest = digests.signed as string;
    const untrusted = `failed to verify ${IMAGE}@${digest}: signature is not produced by a trusted signer: ${notInStore('policy signer')}`;
    expect(rows(fail)).toEqual([['verify-signature-notary', 'fail', `failed to verify image ${IMAGE}:signed: .attestors[0].entries[0]: ${untrusted}; .attestors[0].entries[2]: ${untrusted}`]]);
  });

  it('mutateDigest: false leaves the tag, and verifyDigest then fails the rule; verifyDigest: false passes it; required needs a verification; a digest reference verifies that digest', async () => {
    const variant = (fields: string) => policiesOf(withPem(seedText('004-check-image-notary.yaml'), chain.root.pem).replace('      - type: Notary\n', `      - type: Notary\n${fields}`));
    const noMutate = await evaluate(variant('        mutateDigest: false\n'), pod(`${IMAGE}:signed`));
    expect(rows(noMutate)).toEqual([
      ['verify-signature-notary', 'pass', `verified image signatures for ${IMAGE}:signed`],
      ['verify-signature-notary', 'fail', `missing digest for ${IMAGE}:signed`],
    ]);
    expect(noMutate.patches.map((patch) => patch.path)).not.toContain('/spec/containers/0/image');
    const noDigest = await evaluate(variant('        mutateDigest: false\n        verifyDigest: false\n'), pod(`${IMAGE}:signed`));
    expect(noDigest.rules.map((rule) => rule.status)).toEqual(['pass']);
    // An entry without attestors only pins the digest; `required` then fails the rule: nothing verified the image.
    const pinOnly = (fields: string) => variant(fields).map((policy) => ({ ...policy, rules: policy.rules.map((rule) => ({ ...rule, verifyImages: rule.verifyImages.map((entry) => ({ ...entry, attestors: [] })) })) }));
    expect(rows(await evaluate(pinOnly(''), pod(`${IMAGE}:signed`)))).toEqual([
      ['verify-signature-notary', 'pass', 'mutated image digest'],
      ['verify-signature-notary', 'fail', `unverified image ${IMAGE}@${digests.signed}`],
    ]);
    expect(rows(await evaluate(pinOnly('        required: false\n'), pod(`${IMAGE}:signed`)))).toEqual([['verify-signature-notary', 'pass', 'mutated image digest']]);
    const pinned = await evaluate(seed004(), pod(`${IMAGE}@${digests.signed}`));
    expect(rows(pinned)).toEqual([['verify-signature-notary', 'pass', `verified image signatures for ${IMAGE}@${digests.signed}`]]);
    expect(pinned.patches.map((patch) => patch.path)).toEqual(['/metadata/annotations', '/metadata/annotations/kyverno.io~1verify-images', '/metadata/annotations/kyverno.io~1verify-images-scoped']);
  });

  it('Tekton TaskRun through imageExtractors (required: false) and a KubeVirt DataVolume through a jmesPath extractor', async () => {
    const tekton = withPem(seedText('001-signed-task-image.yaml'), chain.root.pem)
      .replace('      - imageReferences:', '      - type: Notary\n        imageReferences:')
      .replace(/- keys:\n\s+publicKeys: \|-/, '- certificates:\n              cert: |-');
    const taskRun = {
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'TaskRun',
      metadata: { name: 't', namespace: 'default' },
      status: { taskSpec: { steps: [{ name: 'build', image: `${IMAGE}:signed` }, { name: 'push', image: `${IMAGE}:unsigned` }] } },
    };
    const response = await engine(policiesOf(tekton)).evaluate(requestFor(taskRun, { subResource: 'status' }), new AbortController().signal);
    expect(response.rules.map((rule) => [rule.rule, rule.status])).toEqual([
      ['check-signature', 'pass'],
      ['check-signature', 'fail'],
    ]);
    expect(response.patches.slice(0, 2)).toEqual([
      { op: 'replace', path: '/status/taskSpec/steps/0/image', value: `${IMAGE}:signed@${digests.signed}` },
      { op: 'replace', path: '/status/taskSpec/steps/1/image', value: `${IMAGE}:unsigned@${digests.unsigned}` },
    ]);
    // Without the status subresource the rule (kinds: tekton.dev/v1beta1/TaskRun.status) does not apply.
    expect((await evaluate(policiesOf(tekton), taskRun)).rules).toEqual([]);

    const dataVolumePolicy = withPem(seedText('004-check-image-notary.yaml'), chain.root.pem)
      .replace('              - Pod', '              - DataVolume')
      .replace('      verifyImages:', "      imageExtractors:\n        DataVolume:\n          - path: /spec/source/registry/url\n            jmesPath: \"trim_prefix(@, 'docker://')\"\n      verifyImages:");
    const dataVolume = { apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'dv', namespace: 'default' }, spec: { source: { registry: { url: `docker://${IMAGE}:signed` } } } };
    const dv = await evaluate(policiesOf(dataVolumePolicy), dataVolume);
    expect(dv.rules.map((rule) => [rule.rule, rule.status])).toEqual([['verify-signature-notary', 'pass']]);
    // Kyverno patches the extracted field with the image as it parsed it (no docker:// prefix).
    expect(dv.patches[0]).toEqual({ op: 'replace', path: '/spec/source/registry/url', value: `${IMAGE}:signed@${digests.signed}` });
  });

  it('a registry that cannot be reached is an error: it blocks under failurePolicy Fail and passes under Ignore (only that)', async () => {
    const closed = '127.0.0.1:9';
    const fail = await evaluate(seed004(), pod(`${IMAGE}:signed`), closed);
    expect(fail.rules.map((rule) => [rule.status, rule.error?.code, blocksRequest(rule)])).toEqual([
      ['error', 'REGISTRY_UNAVAILABLE', true],
      ['error', 'REGISTRY_UNAVAILABLE', true],
    ]);
    const ignore = policiesOf(withPem(seedText('004-check-image-notary.yaml'), chain.root.pem).replace('failurePolicy: Fail', 'failurePolicy: Ignore'));
    const ignored = await evaluate(ignore, pod(`${IMAGE}:signed`), closed);
    expect(ignored.rules.map((rule) => blocksRequest(rule))).toEqual([false, false]);
    const unsignedIgnored = await evaluate(ignore, pod(`${IMAGE}:unsigned`));
    expect(unsignedIgnored.rules.map((rule) => [rule.status, blocksRequest(rule)])).toEqual([['fail', true]]);
  });

  it('a Cosign rule without the cosign verifier fails closed with VERIFIER_UNAVAILABLE (seed 001 unchanged)', async () => {
    const response = await evaluate(policiesOf(seedText('001-check-image.yaml')), pod(`${IMAGE}:signed`));
    expect(rows(response)).toEqual([
      ['check-image', 'fail', `failed to verify image ${IMAGE}:signed: .attestors[0].entries[0].keys: the Cosign verifier is not available in this build of imgverify`],
    ]);
    expect(blocksRequest(response.rules[0] as never)).toBe(true);
  });

  describe('Cosign (seed 001)', () => {
    const cosignEvaluate = (policies: CompiledKyvernoPolicy[], object: Record<string, unknown>) => engine(policies, registry.host, true).evaluate(requestFor(object), new AbortController().signal);

    it('signed with the test key → pass and pinned; unsigned → signature not found; another key → invalid signature', async () => {
      const policies = cosignPolicy('001-check-image.yaml', 14);
      const signed = await cosignEvaluate(policies, pod(`${IMAGE}:cosign-signed`));
      expect(rows(signed)).toEqual([['check-image', 'pass', `verified image signatures for ${IMAGE}:cosign-signed`]]);
      expect(signed.patches[0]).toEqual({ op: 'replace', path: '/spec/containers/0/image', value: `${IMAGE}:cosign-signed@${digests[`${REPO}:cosign-signed`]}` });
      const unsigned = await cosignEvaluate(policies, pod(`${IMAGE}:cosign-unsigned`));
      expect(unsigned.rules.map((rule) => [rule.status, rule.error?.code])).toEqual([['fail', 'SIGNATURE_NOT_FOUND']]);
      expect(unsigned.rules[0]?.message).toMatch(new RegExp(`^failed to verify image ${IMAGE}:cosign-unsigned: \\.attestors\\[0\\]\\.entries\\[0\\]\\.keys: no signatures found`));
      const other = await cosignEvaluate(policies, pod(`${IMAGE}:cosign-other`));
      expect(other.rules.map((rule) => [rule.status, rule.error?.code])).toEqual([['fail', 'INVALID_SIGNATURE']]);
      expect(other.rules[0]?.message).toMatch(new RegExp(`^failed to verify image ${IMAGE}:cosign-other: \\.attestors\\[0\\]\\.entries\\[0\\]\\.keys: no matching signatures`));
      expect(other.rules[0]?.message).not.toContain(registry.host);
    });

    it('type SigstoreBundle counts only bundle referrers: a bundle-signed image passes, a legacy-signed one has no signatures; type Cosign reads both', async () => {
      const [policy] = cosignPolicy('001-check-image.yaml', 14);
      const typed = (type: 'Cosign' | 'SigstoreBundle') => [
        {
          ...(policy as CompiledKyvernoPolicy),
          rules: (policy as CompiledKyvernoPolicy).rules.map((rule) => ({
            ...rule,
            verifyImages: rule.verifyImages.map((entry) => ({
              ...entry,
              type,
              // The bundle carries no log entry (as `cosign sign --new-bundle-format --tlog-upload=false` writes it).
              attestors: entry.attestors.map((set) => ({ entries: set.entries.map((attestor) => ({ ...attestor, keys: { ...(attestor.keys as NonNullable<typeof attestor.keys>), rekor: { ignoreTlog: true } } })) })),
            })),
          })),
        },
      ];
      const engines = registryEngineFactory({ client, registryMirrors: { 'ghcr.io': registry.host } });
      const evaluate = (type: 'Cosign' | 'SigstoreBundle', tag: string) => engines(typed(type)).evaluate(requestFor(pod(`${IMAGE}:${tag}`)), new AbortController().signal);
      const bundledResult = await evaluate('SigstoreBundle', 'cosign-bundled');
      expect(rows(bundledResult)).toEqual([['check-image', 'pass', `verified image signatures for ${IMAGE}:cosign-bundled`]]);
      expect(bundledResult.patches[0]).toEqual({ op: 'replace', path: '/spec/containers/0/image', value: `${IMAGE}:cosign-bundled@${digests[`${REPO}:cosign-bundled`]}` });
      const legacy = await evaluate('SigstoreBundle', 'cosign-signed');
      expect(legacy.rules.map((rule) => [rule.status, rule.error?.code])).toEqual([['fail', 'SIGNATURE_NOT_FOUND']]);
      expect(legacy.rules[0]?.message).toMatch(new RegExp(`^failed to verify image ${IMAGE}:cosign-signed: \\.attestors\\[0\\]\\.entries\\[0\\]\\.keys: no signatures found`));
      expect(rows(await evaluate('Cosign', 'cosign-bundled')).map(([, status]) => status)).toEqual(['pass']);
      expect(rows(await evaluate('Cosign', 'cosign-signed')).map(([, status]) => status)).toEqual(['pass']);
    });

    it('failurePolicy Ignore lets a set pass only when every entry failed for the registry: one refused signature blocks', async () => {
      const [policy] = cosignPolicy('001-check-image.yaml', 14);
      const mixed = (entries: (entry: NonNullable<CompiledKyvernoPolicy['rules'][number]['verifyImages'][number]['attestors'][number]['entries'][number]>) => typeof entry[]) => [
        {
          ...(policy as CompiledKyvernoPolicy),
          failurePolicy: 'Ignore' as const,
          rules: (policy as CompiledKyvernoPolicy).rules.map((rule) => ({
            ...rule,
            verifyImages: rule.verifyImages.map((entry) => ({ ...entry, attestors: entry.attestors.map((set) => ({ entries: set.entries.flatMap(entries) })) })),
          })),
        },
      ];
      const offline = { repository: '127.0.0.1:9/signatures' };
      const bothOffline = await cosignEvaluate(mixed((entry) => [{ ...entry, ...offline }, { ...entry, ...offline }]), pod(`${IMAGE}:cosign-signed`));
      expect(bothOffline.rules.map((rule) => [rule.status, rule.error?.code, blocksRequest(rule)])).toEqual([['error', 'REGISTRY_UNAVAILABLE', false]]);
      const oneRefused = await cosignEvaluate(mixed((entry) => [{ ...entry, ...offline }, { ...entry, keys: { ...entry.keys, publicKeys: publicPem(cosignOther.publicKey) } as typeof entry.keys }]), pod(`${IMAGE}:cosign-signed`));
      expect(oneRefused.rules.map((rule) => [rule.status, rule.error?.code, blocksRequest(rule)])).toEqual([['fail', 'INVALID_SIGNATURE', true]]);
    });

    it('a k8s://<namespace>/<secret> key is read through the secretKey port (the webhook\'s Kubernetes client); without one it fails closed', async () => {
      const [policy] = cosignPolicy('001-check-image.yaml', 14);
      const withSecret = [
        {
          ...(policy as CompiledKyvernoPolicy),
          rules: (policy as CompiledKyvernoPolicy).rules.map((rule) => ({
            ...rule,
            verifyImages: rule.verifyImages.map((entry) => ({
              ...entry,
              attestors: entry.attestors.map((set) => ({ entries: set.entries.map((attestor) => ({ ...attestor, keys: { ...(attestor.keys as NonNullable<typeof attestor.keys>), publicKeys: 'k8s://kyverno/cosign-keys' } })) })),
            })),
          })),
        },
      ];
      const asked: string[] = [];
      const secretKey = (namespace: string, name: string) => {
        asked.push(`${namespace}/${name}`);
        return Promise.resolve(publicPem(cosignKey.publicKey));
      };
      const run = (options: Parameters<typeof cosignAttestorVerifier>[0]) =>
        createPolicyEngine({ policies: withSecret, resolver: registryResolver(client), verifiers: { Cosign: cosignAttestorVerifier(options) }, registryMirrors: { 'ghcr.io': registry.host } }).evaluate(
          requestFor(pod(`${IMAGE}:cosign-signed`)),
          new AbortController().signal,
        );
      expect((await run({ client, secretKey })).rules.map((rule) => rule.status)).toEqual(['pass']);
      expect(asked).toEqual(['kyverno/cosign-keys']);
      expect(rows(await run({ client }))).toEqual([
        ['check-image', 'fail', `failed to verify image ${IMAGE}:cosign-signed: .attestors[0].entries[0].keys: the key k8s://kyverno/cosign-keys is read from a Kubernetes Secret, which imgverify apply does not do`],
      ]);
    });

    it('an awskms:// key is read with KMS GetPublicKey (the real SDK against a KMS double); other KMS schemes fail closed', async () => {
      const kms = await startKmsDouble({ 'alias/cosign': cosignKey.publicKey });
      try {
        const [policy] = cosignPolicy('001-check-image.yaml', 14);
        const withKms = (uri: string) => [
          {
            ...(policy as CompiledKyvernoPolicy),
            rules: (policy as CompiledKyvernoPolicy).rules.map((rule) => ({
              ...rule,
              verifyImages: rule.verifyImages.map((entry) => ({
                ...entry,
                attestors: entry.attestors.map((set) => ({ entries: set.entries.map((attestor) => ({ ...attestor, keys: { signatureAlgorithm: 'sha256', kms: uri, ...(attestor.keys?.rekor ? { rekor: attestor.keys.rekor } : {}) } })) })),
              })),
            })),
          },
        ];
        const kmsKey = awsKmsPublicKeys({ region: 'us-east-1', endpoints: { aws: kms.url }, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 });
        const run = (uri: string) =>
          createPolicyEngine({ policies: withKms(uri), resolver: registryResolver(client), verifiers: { Cosign: cosignAttestorVerifier({ client, kmsKey }) }, registryMirrors: { 'ghcr.io': registry.host } }).evaluate(
            requestFor(pod(`${IMAGE}:cosign-signed`)),
            new AbortController().signal,
          );
        expect((await run('awskms:///alias/cosign')).rules.map((rule) => rule.status)).toEqual(['pass']);
        expect(kms.asked).toEqual(['alias/cosign']);
        expect(rows(await run('hashivault://cosign'))).toEqual([
          ['check-image', 'fail', `failed to verify image ${IMAGE}:cosign-signed: .attestors[0].entries[0].keys: the key hashivault://cosign is held by a KMS imgverify does not read (only awskms:// is)`],
        ]);
      } finally {
        await kms.stop();
      }
    });

    it('attestation conditions: the reviewed predicate passes, a branch other than main fails with Kyverno\'s message', async () => {
      const policies = cosignPolicy('001-attest-code-review.yaml', 16);
      const app = 'registry.io/org/app';
      const reviewed = await cosignEvaluate(policies, pod(`${app}:reviewed`));
      expect(rows(reviewed)).toEqual([['attest', 'pass', `verified image attestations for ${app}@${digests['org/app:reviewed']}`]]);
      const unreviewed = await cosignEvaluate(policies, pod(`${app}:unreviewed`));
      expect(rows(unreviewed)).toEqual([
        [
          'attest',
          'fail',
          `image attestations verification failed, verifiedCount: 0, requiredCount: 1, error: .attestations[0].attestors[0].entries[0].keys: attestation checks failed for ${app}:unreviewed and predicate https://example.com/CodeReview/v1: `,
        ],
      ]);
    });
  });

  describe('imgverify apply / test', () => {
    async function files(): Promise<{ policy: string; signed: string; unsigned: string }> {
      const policy = join(dir, 'policy.yaml');
      await writeFile(policy, withPem(seedText('004-check-image-notary.yaml'), chain.root.pem));
      const signed = join(dir, 'signed.yaml');
      await writeFile(signed, stringify(pod(`${IMAGE}:signed`, 'signed')));
      const unsigned = join(dir, 'unsigned.yaml');
      await writeFile(unsigned, stringify(pod(`${IMAGE}:unsigned`, 'unsigned')));
      return { policy, signed, unsigned };
    }

    it('apply: exit 0 with the mutated pod, 1 when an enforced rule fails, 2 for an invalid policy', async () => {
      const { policy, signed, unsigned } = await files();
      const mirror = `ghcr.io=${registry.host}`;
      const ok = await runCli('apply', '--policy', policy, '--resource', signed, '--registry-mirror', mirror);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`Applying 3 policy rule(s) to 1 resource(s)...\n\npolicy check-image-notary -> resource default/Pod/signed passed:\n1. verify-signature-notary: pass: verified image signatures for ${IMAGE}:signed\n`);
      expect(ok.stdout).toContain(`    - name: app\n      image: ${IMAGE}:signed@${digests.signed}\n`);
      expect(ok.stdout.endsWith('pass: 1, fail: 0, warn: 0, error: 0, skip: 0\n')).toBe(true);

      const failed = await runCli('apply', '--policy', policy, '--resource', signed, '--resource', unsigned, '--registry-mirror', mirror, '-o', 'json');
      expect(failed.code).toBe(1);
      const report = JSON.parse(failed.stdout) as { results: { resource: string; result: string; code?: string; blocking: boolean }[]; summary: Record<string, number> };
      expect(report.results.map((row) => [row.resource, row.result, row.code, row.blocking])).toEqual([
        ['default/Pod/signed', 'pass', undefined, false],
        ['default/Pod/unsigned', 'fail', 'SIGNATURE_NOT_FOUND', true],
      ]);

      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, seedText('004-check-image-notary.yaml').replace('count: 1', 'count: 3'));
      const invalid = await runCli('apply', '--policy', bad, '--resource', signed);
      expect(invalid.code).toBe(2);
      expect(invalid.stderr).toBe(`Error: invalid policy:\n  ${bad}: check-image-notary/verify-signature-notary spec.rules[0].verifyImages[0].attestors[0]: Count cannot exceed length of entries (POLICY_INVALID)\n`);
    });

    it('test: a kyverno-test.yaml suite passes as a table; a wrong expectation fails it (exit 1)', async () => {
      const { policy, signed, unsigned } = await files();
      const patched = join(dir, 'patched.yaml');
      await writeFile(patched, stringify(pod(`${IMAGE}:signed@${digests.signed}`, 'signed')));
      const suite = (unsignedResult: string) => ({
        apiVersion: 'cli.kyverno.io/v1alpha1',
        kind: 'Test',
        metadata: { name: 'notary' },
        policies: [policy],
        resources: [signed, unsigned],
        results: [
          { policy: 'check-image-notary', rule: 'verify-signature-notary', resources: ['signed'], kind: 'Pod', result: 'pass', patchedResource: 'patched.yaml' },
          { policy: 'check-image-notary', rule: 'verify-signature-notary', resources: ['unsigned'], kind: 'Pod', result: unsignedResult },
        ],
      });
      await writeFile(join(dir, 'kyverno-test.yaml'), stringify(suite('fail')));
      const ok = await runCli('test', dir, '--registry-mirror', `ghcr.io=${registry.host}`);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(
        [
          '│────│────────────────────│─────────────────────────│──────────────────────│────────│────────│',
          '│ ID │ POLICY             │ RULE                    │ RESOURCE             │ RESULT │ REASON │',
          '│────│────────────────────│─────────────────────────│──────────────────────│────────│────────│',
          '│ 1  │ check-image-notary │ verify-signature-notary │ default/Pod/signed   │ Pass   │ Ok     │',
          '│ 2  │ check-image-notary │ verify-signature-notary │ default/Pod/unsigned │ Pass   │ Ok     │',
        ].join('\n'),
      );
      expect(ok.stdout.endsWith('\nTest Summary: 2 tests passed and 0 tests failed\n')).toBe(true);
      await writeFile(join(dir, 'kyverno-test.yaml'), stringify(suite('pass')));
      const wrong = await runCli('test', dir, '--registry-mirror', `ghcr.io=${registry.host}`, '--detailed-results');
      expect(wrong.code).toBe(1);
      expect(wrong.stdout).toMatch(/│ 2 +│ check-image-notary │ verify-signature-notary │ default\/Pod\/unsigned │ Fail +│ Want pass, got fail │ failed to verify image ghcr\.io\/kyverno\/test-verify-image:unsigned: /);
      expect(wrong.stdout.endsWith('\nTest Summary: 1 tests passed and 1 tests failed\n')).toBe(true);
    });
  });
});
