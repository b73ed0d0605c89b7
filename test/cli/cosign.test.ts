// `imgverify cosign …` end to end: generate-key-pair, sign and attest into a real docker-registry and an OCI layout, verify; exit codes and JSON.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_CHAIN, ANNOTATION_SIGNATURE, signatureLocation, simpleSigningPayload } from '../../src/cosign/index.js';
import { appendLayer } from '../../src/cosign/sign.js';
import { OciLayoutStore, pushImage, RegistryClient } from '../../src/oci/index.js';
import { runCli } from '../support/cli.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { signKeyless, startSigstoreDoubles } from '../support/sigstore-doubles.js';

let registry: RegistryServer;
let client: RegistryClient;
let root: string;
let key: string;
let pub: string;
let image: string;
let digest: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'imgverify-cli-cosign-'));
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true });
  const pushed = await pushImage(client.repository(registry.host, 'cli/app'), { layers: [new TextEncoder().encode('app')], tag: 'v1' });
  image = `${registry.host}/cli/app:v1`;
  digest = pushed.descriptor.digest;
  // A key cosign wrote (its own test vector, password "hello"): imgverify signs with what cosign users have.
  vi.stubEnv('COSIGN_PASSWORD', 'hello');
  key = join(LOCAL_FIXTURES, 'cosign', 'sigstore.key');
  pub = join(LOCAL_FIXTURES, 'cosign', 'sigstore.pub');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await client?.close();
  await registry?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('imgverify cosign', () => {
  it('generate-key-pair writes a key pair whose key signs what its .pub verifies, and never overwrites one', async () => {
    const prefix = join(root, 'generated');
    expect(await runCli('cosign', 'generate-key-pair', '--output-key-prefix', prefix)).toEqual({ code: 0, stdout: '', stderr: `Private key written to ${prefix}.key\nPublic key written to ${prefix}.pub\n` });
    const again = await runCli('cosign', 'generate-key-pair', '--output-key-prefix', prefix);
    expect(again).toEqual({ code: 2, stdout: '', stderr: `Error: cannot write the key pair (EEXIST): ${prefix}.key exists (USAGE)\n` });
    const pushed = await pushImage(client.repository(registry.host, 'cli/generated'), { layers: [new TextEncoder().encode('generated')], tag: 'v1' });
    expect((await runCli('cosign', 'sign', '--plain-http', '--key', `${prefix}.key`, `${registry.host}/cli/generated@${pushed.descriptor.digest}`)).code).toBe(0);
    expect((await runCli('cosign', 'verify', '--plain-http', '--key', `${prefix}.pub`, '--insecure-ignore-tlog', `${registry.host}/cli/generated:v1`)).code).toBe(0);
  });

  it('sign -a, then verify: exit 0, cosign\'s checks on stderr and the payloads on stdout; a tlog is required unless ignored', async () => {
    expect((await runCli('cosign', 'sign', '--plain-http', '--key', key, '-a', 'env=prod', image)).code).toBe(0);
    const verified = await runCli('cosign', 'verify', '--plain-http', '--key', pub, '--insecure-ignore-tlog', '-a', 'env=prod', image);
    expect(verified.code).toBe(0);
    expect(verified.stderr).toContain(`Verification for ${registry.host}/cli/app@${digest} --`);
    expect(JSON.parse(verified.stdout)).toEqual([
      { critical: { identity: { 'docker-reference': `${registry.host}/cli/app` }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' }, optional: { env: 'prod' } },
    ]);
    const noTlog = await runCli('cosign', 'verify', '--plain-http', '--key', pub, '--rekor-public-key', pub, '-o', 'json', image);
    expect(noTlog.code).toBe(1);
    expect(JSON.parse(noTlog.stdout)).toMatchObject({ reference: image, digest, verified: false, error: { code: 'TLOG_ENTRY_MISSING' } });
  });

  it('verify with another key: exit 1 and INVALID_SIGNATURE; no key material: exit 2', async () => {
    const wrong = await runCli('cosign', 'verify', '--plain-http', '--key', join(LOCAL_FIXTURES, 'cosign', 'seed-001-cosign.pub'), '--insecure-ignore-tlog', image);
    expect(wrong).toMatchObject({ code: 1, stderr: 'Error: no matching signatures: invalid signature when validating ASN.1 encoded signature (INVALID_SIGNATURE)\n' });
    expect((await runCli('cosign', 'verify', '--plain-http', image)).code).toBe(2);
  });

  it('attest, then verify-attestation --type with a --policy of Kyverno conditions', async () => {
    const predicate = join(root, 'provenance.json');
    await writeFile(predicate, JSON.stringify({ builder: { id: 'https://ci.example/builder' } }));
    expect((await runCli('cosign', 'attest', '--plain-http', '--key', key, '--predicate', predicate, '--type', 'slsaprovenance', image)).code).toBe(0);
    const passing = join(root, 'pass.yaml');
    await writeFile(passing, 'all:\n- key: "{{ builder.id }}"\n  operator: Equals\n  value: https://ci.example/builder\n');
    const failing = join(root, 'fail.yaml');
    await writeFile(failing, 'all:\n- key: "{{ builder.id }}"\n  operator: Equals\n  value: https://other\n  message: wrong builder\n');
    const base = ['cosign', 'verify-attestation', '--plain-http', '--key', pub, '--insecure-ignore-tlog', '--type', 'slsaprovenance'];
    const ok = await runCli(...base, '--policy', passing, image);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject([{ predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { builder: { id: 'https://ci.example/builder' } } }]);
    const bad = await runCli(...base, '--policy', failing, '-o', 'json', image);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toEqual({ code: 'ATTESTATION_CONDITIONS_FAILED', message: 'the attestation of type https://slsa.dev/provenance/v0.2 fails the policy: wrong builder' });
  });

  it('sign --bundle and attest --bundle write Sigstore bundle referrers (no .sig/.att tag) that verify; without a tlog entry only with --insecure-ignore-tlog', async () => {
    const pushed = await pushImage(client.repository(registry.host, 'cli/bundled'), { layers: [new TextEncoder().encode('bundled')], tag: 'v1' });
    const bundled = `${registry.host}/cli/bundled:v1`;
    const signed = await runCli('cosign', 'sign', '--plain-http', '--bundle', '--key', key, bundled);
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(new RegExp(`^Pushing signature bundle referrer to: ${registry.host}/cli/bundled@sha256:[0-9a-f]{64} \\(subject ${pushed.descriptor.digest}\\)\n$`));
    const predicate = join(root, 'bundled-provenance.json');
    await writeFile(predicate, JSON.stringify({ builder: { id: 'https://ci.example/bundled' } }));
    expect((await runCli('cosign', 'attest', '--plain-http', '--bundle', '--key', key, '--predicate', predicate, '--type', 'slsaprovenance', bundled)).code).toBe(0);
    const tag = pushed.descriptor.digest.replace(':', '-');
    for (const suffix of ['sig', 'att']) {
      await expect(client.repository(registry.host, 'cli/bundled').fetchManifest(`${tag}.${suffix}`)).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
    }

    expect((await runCli('cosign', 'verify', '--plain-http', '--key', pub, '--insecure-ignore-tlog', bundled)).code).toBe(0);
    const attested = await runCli('cosign', 'verify-attestation', '--plain-http', '--key', pub, '--insecure-ignore-tlog', '--type', 'slsaprovenance', bundled);
    expect(attested.code).toBe(0);
    expect(JSON.parse(attested.stdout)).toMatchObject([{ predicateType: 'https://slsa.dev/provenance/v0.2', predicate: { builder: { id: 'https://ci.example/bundled' } } }]);
    const tlogRequired = await runCli('cosign', 'verify', '--plain-http', '--key', pub, '-o', 'json', bundled);
    expect(tlogRequired.code).toBe(1);
    expect(JSON.parse(tlogRequired.stdout).error.code).toBe('TLOG_ENTRY_MISSING');
  });

  it('--oci-layout: sign and verify air-gapped', async () => {
    const layout = join(root, 'layout');
    const store = await OciLayoutStore.open(layout, { create: true });
    const pushed = await pushImage(store, { layers: [new TextEncoder().encode('offline')], tag: 'v1' });
    expect((await runCli('cosign', 'sign', '--oci-layout', '--key', key, `${layout}:v1`)).code).toBe(0);
    const run = await runCli('cosign', 'verify', '--oci-layout', '--key', pub, '--insecure-ignore-tlog', '-o', 'json', `${layout}@${pushed.descriptor.digest}`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ verified: true, digest: pushed.descriptor.digest, signatures: [{ verified: true }] });
  });
});

describe('imgverify cosign verify, keyless', () => {
  it('--certificate-identity / --certificate-oidc-issuer(-regexp) with --trusted-root: the identity decides the exit code', async () => {
    const doubles = await startSigstoreDoubles();
    try {
      const trustedRoot = join(root, 'trusted_root.json');
      await writeFile(trustedRoot, JSON.stringify(doubles.trustedRoot));
      const repository = 'cli/keyless';
      const pushed = await pushImage(client.repository(registry.host, repository), { layers: [new TextEncoder().encode('keyless')], tag: 'v1' });
      const target = { repository: `${registry.host}/${repository}`, digest: pushed.descriptor.digest };
      const payload = simpleSigningPayload(target, undefined);
      const { legacy } = await signKeyless(doubles, { artifact: payload, identity: { email: 'dev@example.com' } });
      const pinned = { registry: registry.host, repository, digest: target.digest, descriptor: pushed.descriptor, insecure: false };
      await appendLayer(signatureLocation(client, pinned, undefined), target, 'signatures', payload, {
        [ANNOTATION_SIGNATURE]: legacy.signature,
        [ANNOTATION_CERTIFICATE]: legacy.certificatePem,
        [ANNOTATION_CHAIN]: legacy.chainPem,
        [ANNOTATION_BUNDLE]: JSON.stringify(legacy.rekorBundle),
      });
      const reference = `${registry.host}/${repository}:v1`;
      const base = ['cosign', 'verify', '--plain-http', '--trusted-root', trustedRoot, '--certificate-oidc-issuer', doubles.urls.oidc];
      const ok = await runCli(...base, '--certificate-identity', 'dev@example.com', '-o', 'json', reference);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ verified: true, signatures: [{ signer: { kind: 'certificate', subject: 'dev@example.com', issuer: doubles.urls.oidc } }] });
      const other = await runCli(...base, '--certificate-identity-regexp', '^ops@', '-o', 'json', reference);
      expect(other.code).toBe(1);
      expect(JSON.parse(other.stdout).error.code).toBe('UNTRUSTED_IDENTITY');
    } finally {
      await doubles.stop();
    }
  });
});
