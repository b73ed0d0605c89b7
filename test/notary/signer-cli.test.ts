// `imgverify sign`: signs into an OCI layout and a real docker-registry, with a timestamp from a TSA double; bad input exits 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExpiryDuration, parseUserMetadata, runSign, type SignCommandOptions } from '../../src/cli/commands/sign.js';
import { parseEnvelope, parseNotaryPayload, readSignatureManifest, ARTIFACT_TYPE_NOTARY_SIGNATURE } from '../../src/notary/index.js';
import { verifyTimestampToken } from '../../src/pki/index.js';
import { OciLayoutStore, RegistryClient, pushImage, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { startTsaDouble, type TsaDouble } from '../support/tsa-double.js';
import { runCli } from '../support/cli.js';

let dir: string;
let chain: GeneratedChain;
let registry: RegistryServer;
let tsa: TsaDouble;
let client: RegistryClient;
let keyPath: string;
let certPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-sign-cli-'));
  chain = await generateCertificateChain({ keyType: 'rsa-2048', leaf: { keys: await cachedKeyPair('rsa-2048', 'sign-cli') } });
  keyPath = join(dir, 'key.pem');
  certPath = join(dir, 'chain.pem');
  await writeFile(keyPath, chain.leaf.privateKeyPem, { mode: 0o600 });
  await writeFile(certPath, chain.chainPem);
  await writeFile(join(dir, 'tsa-root.pem'), '');
  [registry, tsa] = await Promise.all([startRegistry(), startTsaDouble()]);
  await writeFile(join(dir, 'tsa-root.pem'), tsa.root.pem);
  client = new RegistryClient({ plainHttpForLocalhost: true });
});

afterAll(async () => {
  await client?.close();
  await Promise.all([registry?.stop(), tsa?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function capture() {
  const lines = { stdout: '', stderr: '' };
  return { lines, output: { stdout: (t: string) => void (lines.stdout += t), stderr: (t: string) => void (lines.stderr += t) } };
}

function flags(overrides: Partial<SignCommandOptions> = {}): SignCommandOptions {
  return { key: keyPath, cert: certPath, signatureFormat: 'jws', signatureManifest: 'artifact', userMetadata: [], ...overrides };
}

async function onlySignature(store: ArtifactStore, subject: Descriptor) {
  const [referrer, ...rest] = await store.referrers(subject, ARTIFACT_TYPE_NOTARY_SIGNATURE);
  expect(rest).toHaveLength(0);
  const info = readSignatureManifest((await store.fetchManifest(referrer as Descriptor)).manifest);
  const content = await parseEnvelope(info.envelope.mediaType, await store.fetchBlob(info.envelope)).verify();
  return { info, content };
}

describe('imgverify sign --oci-layout', () => {
  it('signs PATH:tag with COSE, user metadata and expiry, and prints the pinned reference', async () => {
    const layout = join(dir, 'layout');
    const store = await OciLayoutStore.open(layout, { create: true });
    const image = await pushImage(store, { tag: 'v1', layers: [new Uint8Array([1, 2, 3])] });
    const { lines, output } = capture();
    const code = await runSign(
      `${layout}:v1`,
      flags({ ociLayout: true, signatureFormat: 'cose', signatureManifest: 'image', userMetadata: ['team=a', 'build=7'], expiry: '2d' }),
      { output },
    );
    expect(lines.stderr).toContain('Warning: Always sign the artifact using digest');
    expect(code).toBe(0);
    expect(lines.stdout).toContain(`Successfully signed ${layout}@${image.descriptor.digest}\n`);
    const { info, content } = await onlySignature(store, image.descriptor);
    expect(info.form).toBe('image');
    expect(info.envelope.mediaType).toBe('application/cose');
    expect(parseNotaryPayload(content.payload).targetArtifact.annotations).toEqual({ team: 'a', build: '7' });
    const expiry = content.signerInfo.signedAttributes.expiry?.getTime() ?? 0;
    expect(Math.abs(expiry - Date.now() - 2 * 86_400_000)).toBeLessThan(60_000);
  });
});

describe('imgverify sign through the command line parser', () => {
  it('registers the command and maps its flags', async () => {
    const layout = join(dir, 'layout-main');
    const store = await OciLayoutStore.open(layout, { create: true });
    const image = await pushImage(store, { tag: 'v2', layers: [new Uint8Array([9])] });
    const args = ['sign', `${layout}@${image.descriptor.digest}`, '--oci-layout', '--key', keyPath, '--cert', certPath];
    args.push('--signature-format', 'cose', '--signature-manifest', 'image', '-m', 'k=v', '--expiry', '1h');
    expect((await runCli(...args)).code).toBe(0);
    const { info, content } = await onlySignature(store, image.descriptor);
    expect([info.form, info.envelope.mediaType]).toEqual(['image', 'application/cose']);
    expect(parseNotaryPayload(content.payload).targetArtifact.annotations).toEqual({ k: 'v' });
  });
});

describe('cert generate-test → sign → verify, as a notation user would', () => {
  it('a freshly generated and trusted test certificate signs an image that verify accepts', async () => {
    const configDir = join(dir, 'notation');
    const layout = join(dir, 'layout-e2e');
    const store = await OciLayoutStore.open(layout, { create: true });
    const image = await pushImage(store, { tag: 'v1', layers: [new Uint8Array([7])] });
    const run = async (...args: string[]): Promise<number> => (await runCli(...args)).code;
    expect(await run('cert', 'generate-test', 'wabbit', '--config-dir', configDir, '--key-type', 'ec-256', '--trust')).toBe(0);
    await writeFile(
      join(configDir, 'trustpolicy.json'),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          { name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:wabbit'], trustedIdentities: ['*'] },
        ],
      }),
    );
    const keyFiles = ['--key', join(configDir, 'localkeys/wabbit.key'), '--cert', join(configDir, 'localkeys/wabbit.crt')];
    expect(await run('sign', `${layout}@${image.descriptor.digest}`, '--oci-layout', ...keyFiles)).toBe(0);
    expect(await run('verify', `${layout}:v1`, '--oci-layout', '--config-dir', configDir)).toBe(0);
  });
});

describe('imgverify sign <registry reference>', () => {
  it('signs by digest with a verified RFC 3161 timestamp', async () => {
    const store = client.repository(registry.host, 'cli/app');
    const image = await pushImage(store, { tag: 'v1', layers: [new Uint8Array([4, 5, 6])] });
    const reference = `${registry.host}/cli/app@${image.descriptor.digest}`;
    const { lines, output } = capture();
    const code = await runSign(reference, flags({ timestampUrl: tsa.url, timestampRootCert: join(dir, 'tsa-root.pem') }), { output });
    expect(lines.stderr).toBe('');
    expect(code).toBe(0);
    expect(lines.stdout).toContain(`Successfully signed ${reference}\n`);
    const { info, content } = await onlySignature(store, image.descriptor);
    expect(info.form).toBe('artifact');
    const token = content.signerInfo.unsignedAttributes.timestampSignature;
    expect(token).toBeInstanceOf(Uint8Array);
    const verified = await verifyTimestampToken(token as Uint8Array, content.signerInfo.signature, [tsa.rootCertificate]);
    expect(Math.abs(verified.genTime.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it.each<[string, Partial<SignCommandOptions>, string, number, string]>([
    ['a missing key file', { key: '/nonexistent/key.pem' }, 'cli/x:v1', 2, 'INVALID_INPUT'],
    ['a key that is not a key', { key: '/etc/hostname' }, 'cli/x:v1', 2, 'INVALID_INPUT'],
    ['a key of another certificate', { cert: 'OTHER' }, 'cli/x:v1', 2, 'INVALID_INPUT'],
    ['a timestamp URL without its root', { timestampUrl: 'http://127.0.0.1:1/' }, 'cli/x:v1', 2, 'INVALID_INPUT'],
    ['a bad expiry', { expiry: '3 weeks' }, 'cli/x:v1', 2, 'INVALID_INPUT'],
    ['a bad reference', {}, 'UPPER/case:v1', 2, 'INVALID_REFERENCE'],
    ['an unknown tag', {}, 'cli/absent:v1', 1, 'MANIFEST_NOT_FOUND'],
  ])('%s', async (_name, overrides, path, exitCode, errorCode) => {
    const other = await generateCertificateChain({ keyType: 'ec-256' });
    const otherPath = join(dir, 'other.pem');
    await writeFile(otherPath, other.chainPem);
    const resolved = { ...overrides, ...(overrides.cert === 'OTHER' ? { cert: otherPath } : {}) };
    const { lines, output } = capture();
    const reference = `${registry.host}/${path}`;
    expect(await runSign(reference, flags(resolved), { output })).toBe(exitCode);
    expect(lines.stderr).toContain(`(${errorCode})`);
  });
});

describe('flag parsing', () => {
  it.each([
    ['24h', 86_400_000],
    ['30m', 1_800_000],
    ['3h20m', 12_000_000],
    ['7d', 604_800_000],
    ['90s', 90_000],
  ])('--expiry %s', (value, ms) => expect(parseExpiryDuration(value)).toBe(ms));

  it.each(['', '0h', '1y', '-1h', '1.5h', 'h', '36501d'])('--expiry %j is refused', (value) => {
    expect(() => parseExpiryDuration(value)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('--user-metadata splits at the first "=" and refuses repeats', () => {
    expect(parseUserMetadata(['a=b=c', 'd='])).toEqual({ a: 'b=c', d: '' });
    expect(() => parseUserMetadata(['a=1', 'a=2'])).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => parseUserMetadata(['=x'])).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
