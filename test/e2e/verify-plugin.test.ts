// The whole program with a verification plugin installed in the config dir, and the signingAuthority scheme, on an OCI layout.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OciLayoutStore, pushImage, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { createNotaryPayload, signEnvelope } from '../../src/notary/envelope/index.js';
import { buildSignatureManifest } from '../../src/notary/signature-manifest.js';
import { MEDIA_TYPE_JWS, type ExtendedAttribute, type SigningScheme } from '../../src/notary/types.js';
import { installPluginDouble } from '../notary/plugin/plugin-double.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { runCli } from '../support/cli.js';

const PLUGIN = 'com.example.double';

async function sign(store: ArtifactStore, subject: Descriptor, chain: GeneratedChain, scheme: SigningScheme, extendedAttributes: ExtendedAttribute[]): Promise<void> {
  const envelope = await signEnvelope({
    mediaType: MEDIA_TYPE_JWS,
    payload: createNotaryPayload(subject),
    signingScheme: scheme,
    signingTime: new Date(),
    extendedAttributes,
    privateKey: chain.leaf.privateKey,
    certificateChain: chain.chain,
  });
  const blob = await store.pushBlob(envelope, MEDIA_TYPE_JWS);
  const built = buildSignatureManifest({ form: 'artifact', subject, envelope: blob, certificateChain: chain.chain });
  await store.pushBlob(built.config.bytes, built.config.descriptor.mediaType);
  await store.pushManifest(built.bytes, built.mediaType);
}

describe('imgverify verify with a verification plugin and the signingAuthority scheme', () => {
  let root: string;
  let layoutPath: string;
  let withPlugin: string;
  let withoutPlugin: string;
  let chain: GeneratedChain;

  async function configDir(name: string, trustStores: string[]): Promise<string> {
    const dir = join(root, name);
    for (const type of ['ca', 'signingAuthority']) {
      await mkdir(join(dir, 'truststore/x509', type, 'test'), { recursive: true });
      await writeFile(join(dir, 'truststore/x509', type, 'test/root.pem'), chain.root.pem);
    }
    await writeFile(
      join(dir, 'trustpolicy.oci.json'),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [{ name: 'layout', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores, trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary'] }],
      }),
    );
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgverify-verify-plugin-'));
    chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'plugin-e2e-leaf') } });
    layoutPath = join(root, 'layout');
    const layout = await OciLayoutStore.open(layoutPath, { create: true });
    const pluginImage = await pushImage(layout, { tag: 'plugin', layers: [new TextEncoder().encode('plugin')] });
    await sign(layout, pluginImage.descriptor, chain, 'notary.x509', [
      { key: 'io.cncf.notary.verificationPlugin', critical: true, value: PLUGIN },
      { key: 'io.cncf.notary.verificationPluginMinVersion', critical: true, value: '0.9.0' },
      { key: 'com.example.claim', critical: true, value: 'x' },
    ]);
    const saImage = await pushImage(layout, { tag: 'sa', layers: [new TextEncoder().encode('signing authority')] });
    await sign(layout, saImage.descriptor, chain, 'notary.x509.signingAuthority', []);
    withPlugin = await configDir('with-plugin', ['ca:test', 'signingAuthority:test']);
    await installPluginDouble(join(withPlugin, 'plugins'), PLUGIN);
    withoutPlugin = await configDir('without-plugin', ['ca:test']);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('the plugin verifies the trusted identity and processes the unknown critical attribute', async () => {
    const record = join(root, 'requests.jsonl');
    const result = await runCli('verify', '--oci-layout', `${layoutPath}:plugin`, '--config-dir', withPlugin, '--plugin-config', `recordTo=${record}`);
    expect(result.stderr).toMatch(/^Warning: Always verify the artifact using digest\(@sha256:\.\.\.\) rather than a tag\(:plugin\)[^\n]*\n$/);
    expect(result.code).toBe(0);
    const requests = (await readFile(record, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { command: string; request: Record<string, unknown> });
    expect(requests.map((r) => r.command)).toEqual(['get-plugin-metadata', 'verify-signature']);
    expect(requests[1]?.request).toEqual({
      contractVersion: '1.0',
      signature: {
        criticalAttributes: {
          contentType: 'application/vnd.cncf.notary.payload.v1+json',
          signingScheme: 'notary.x509',
          verificationPlugin: PLUGIN,
          verificationPluginMinVersion: '0.9.0',
          extendedAttributes: { 'com.example.claim': 'x' },
        },
        unprocessedAttributes: ['com.example.claim'],
        certificateChain: chain.chain.map((der) => Buffer.from(der).toString('base64')),
      },
      trustPolicy: { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary'], signatureVerification: ['SIGNATURE_VERIFIER.TRUSTED_IDENTITY'] },
      pluginConfig: { recordTo: record },
    });
  });

  it.each([
    { name: 'plugin rejects the identity', args: ['--plugin-config', 'trustedIdentity=fail:denied'], dir: 'with', code: 1, err: /trusted identity verification by plugin "com\.example\.double" failed with reason "denied" \(UNTRUSTED_IDENTITY\)/ },
    { name: 'plugin does not process the claim', args: ['--plugin-config', 'processed='], dir: 'with', code: 1, err: /UNKNOWN_CRITICAL_ATTRIBUTE/ },
    { name: 'plugin too old', args: ['--plugin-config', 'version=0.1.0'], dir: 'with', code: 1, err: /needs plugin version greater than or equal to 0\.9\.0 \(PLUGIN_REQUIRED\)/ },
    { name: 'plugin not installed', args: [], dir: 'without', code: 1, err: /error while locating the verification plugin "com\.example\.double".*\(PLUGIN_REQUIRED\)/ },
    { name: 'bad --plugin-config', args: ['--plugin-config', 'oops'], dir: 'with', code: 2, err: /--plugin-config expects key=value/ },
  ])('$name → exit $code', async (c) => {
    const result = await runCli('verify', '--oci-layout', `${layoutPath}:plugin`, '--config-dir', c.dir === 'with' ? withPlugin : withoutPlugin, ...c.args);
    expect(result.code).toBe(c.code);
    expect(result.stderr).toMatch(c.err);
  });

  it('$PLUGINS_DIR overrides <config dir>/plugins', async () => {
    vi.stubEnv('PLUGINS_DIR', join(withPlugin, 'plugins'));
    try {
      expect((await runCli('verify', '--oci-layout', `${layoutPath}:plugin`, '--config-dir', withoutPlugin)).code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('signingAuthority scheme: anchored by the signingAuthority store, not by ca', async () => {
    const ok = await runCli('verify', '--oci-layout', `${layoutPath}:sa`, '--config-dir', withPlugin, '--output', 'json');
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout) as { signature: { signingScheme: string; authenticSigningTime: string } };
    expect(json.signature.signingScheme).toBe('notary.x509.signingAuthority');
    expect(Date.parse(json.signature.authenticSigningTime)).toBeGreaterThan(Date.now() - 10 * 60_000);
    const caOnly = await runCli('verify', '--oci-layout', `${layoutPath}:sa`, '--config-dir', withoutPlugin);
    expect(caOnly.code).toBe(1);
    expect(caOnly.stderr).toMatch(/UNTRUSTED_SIGNER/);
  });
});
