// The plugin protocol: semver rules, plugin discovery, process contract and response interpretation.
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  PluginDirectory,
  compareSemver,
  interpretVerifySignatureResponse,
  isValidSemver,
  pluginRequirement,
  preparePlugin,
  type VerificationCapability,
} from '../../../src/notary/plugin/index.js';
import { PLUGIN_DOUBLE_SOURCE, UNITTEST_MOCK_PLUGIN, installPluginDouble } from './plugin-double.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'NO_ERROR';
  } catch (err) {
    return err instanceof NotaryError ? err.code : `UNEXPECTED ${String(err)}`;
  }
}

describe('semver', () => {
  it.each([
    ['1.0.0', '1.0.0', 0],
    ['1.0.0', '0.0.9', 1],
    ['1.0.0', '1.0.0-alpha', 1],
    ['1.0.0', '1.0.0-alpha.beta', 1],
    ['1.0.0', '1.0.1', -1],
    ['1.0.0', '1.1.0-alpha', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['10.0.0', '9.99.99', 1],
  ])('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareSemver(a, b)).toBe(expected);
  });

  it.each([
    ['1.0.0', true],
    ['1.0.0-alpha.beta', true],
    ['1.0.0+meta', true],
    ['v1.0.0', false],
    ['1.0', false],
    ['01.0.0', false],
    ['1.0.0-', false],
  ])('isValidSemver(%s) = %s', (version, expected) => {
    expect(isValidSemver(version)).toBe(expected);
  });
});

describe('pluginRequirement', () => {
  const attr = (key: string, value: unknown) => ({ key, critical: true, value });
  it.each([
    { name: 'no plugin', attributes: [], expected: undefined, code: undefined },
    {
      name: 'plugin and version',
      attributes: [attr('io.cncf.notary.verificationPlugin', 'p'), attr('io.cncf.notary.verificationPluginMinVersion', '1.2.3')],
      expected: { name: 'p', minVersion: '1.2.3' },
      code: undefined,
    },
    { name: 'version without plugin', attributes: [attr('io.cncf.notary.verificationPluginMinVersion', '1.0.0')], expected: undefined, code: 'MALFORMED_SIGNATURE' },
    {
      name: 'invalid minimum version',
      attributes: [attr('io.cncf.notary.verificationPlugin', 'p'), attr('io.cncf.notary.verificationPluginMinVersion', 'v1')],
      expected: undefined,
      code: 'MALFORMED_SIGNATURE',
    },
    { name: 'non-string plugin name', attributes: [attr('io.cncf.notary.verificationPlugin', 3)], expected: undefined, code: 'MALFORMED_SIGNATURE' },
  ])('$name', ({ attributes, expected, code }) => {
    if (code) {
      expect(() => pluginRequirement(attributes)).toThrow(expect.objectContaining({ code }));
    } else {
      expect(pluginRequirement(attributes)).toEqual(expected);
    }
  });
});

describe('plugin directory and process contract', () => {
  let root: string;
  let directory: PluginDirectory;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgverify-plugins-'));
    await installPluginDouble(root, UNITTEST_MOCK_PLUGIN);
    // A plugin whose executable is a symlink to the double: must be refused.
    await mkdir(join(root, 'linked'));
    await symlink(join(root, UNITTEST_MOCK_PLUGIN, `notation-${UNITTEST_MOCK_PLUGIN}`), join(root, 'linked', 'notation-linked'));
    await mkdir(join(root, 'noexec'));
    await writeFile(join(root, 'noexec', 'notation-noexec'), '#!/bin/sh\n');
    await chmod(join(root, 'noexec', 'notation-noexec'), 0o644);
    await mkdir(join(root, 'dir', 'notation-dir'), { recursive: true });
    // The plugin is a node script: under a loaded CI machine its start alone can take over a second, so the
    // deadline is long enough for error/garbage/flood to answer (only the hang case waits it out).
    directory = new PluginDirectory(root, { metadataTimeoutMs: 5_000, verifyTimeoutMs: 4_000 });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    { name: 'missing', code: 'NOT_FOUND' },
    { name: 'linked', code: 'PLUGIN_ERROR' },
    { name: 'noexec', code: 'PLUGIN_ERROR' },
    { name: 'dir', code: 'PLUGIN_ERROR' },
    { name: '../escape', code: 'PLUGIN_REQUIRED' },
    { name: '..', code: 'PLUGIN_REQUIRED' },
    { name: UNITTEST_MOCK_PLUGIN, code: 'FOUND' },
  ])('find($name) → $code', async ({ name, code }) => {
    let got: string;
    try {
      got = (await directory.find(name)) ? 'FOUND' : 'NOT_FOUND';
    } catch (err) {
      got = err instanceof NotaryError ? err.code : String(err);
    }
    expect(got).toBe(code);
  });

  it('reads metadata from the double', async () => {
    const plugin = await directory.find(UNITTEST_MOCK_PLUGIN);
    const metadata = await plugin!.getMetadata({});
    expect(metadata).toMatchObject({ name: UNITTEST_MOCK_PLUGIN, version: '1.0.0', capabilities: [CAPABILITY_TRUSTED_IDENTITY] });
  });

  it.each([
    { behaviour: 'error', code: 'PLUGIN_ERROR', message: /ACCESS_DENIED: the double was told to fail/ },
    { behaviour: 'garbage', code: 'PLUGIN_ERROR', message: /did not write a JSON response/ },
    { behaviour: 'flood', code: 'PLUGIN_ERROR', message: /more than \d+ bytes/ },
    { behaviour: 'hang', code: 'PLUGIN_ERROR', message: /did not answer within 4000 ms/ },
  ])('verify-signature with behaviour $behaviour → $code', async ({ behaviour, code, message }) => {
    const plugin = await directory.find(UNITTEST_MOCK_PLUGIN);
    const request = {
      contractVersion: '1.0',
      signature: { criticalAttributes: { contentType: 'x', signingScheme: 'notary.x509' }, unprocessedAttributes: [], certificateChain: [] },
      trustPolicy: { trustedIdentities: ['*'], signatureVerification: [CAPABILITY_TRUSTED_IDENTITY] },
      pluginConfig: { behaviour },
    };
    const err = await plugin!.verifySignature(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotaryError);
    expect((err as NotaryError).code).toBe(code);
    expect((err as NotaryError).message).toMatch(message);
  });

  it('an aborted signal stops a hanging plugin with VERIFICATION_TIMEOUT', async () => {
    const plugin = await directory.find(UNITTEST_MOCK_PLUGIN);
    const started = Date.now();
    const code = await codeOf(plugin!.getMetadata({ pluginConfig: { behaviour: 'hang' } }, { signal: AbortSignal.timeout(200) }));
    expect(code).toBe('VERIFICATION_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('refuses a plugin whose metadata names another plugin', async () => {
    // A wrapper runs the double under its fixture name, so it reports "mock-plugin-double".
    await mkdir(join(root, 'impostor'));
    await writeFile(join(root, 'impostor', 'notation-impostor'), `#!/bin/sh\nexec node ${PLUGIN_DOUBLE_SOURCE} "$@"\n`);
    await chmod(join(root, 'impostor', 'notation-impostor'), 0o755);
    const plugin = await directory.find('impostor');
    const err = await plugin!.getMetadata({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLUGIN_ERROR' });
    expect((err as Error).message).toMatch(/^executable name must be "notation-mock-plugin-double" instead of "notation-impostor"/);
  });

  // INDEX.md: the double reports 1.0.0; compatible minimum versions pass, the others fail with notation's message.
  it.each([
    ['0.0.9', undefined],
    ['1.0.0-alpha', undefined],
    ['1.0.0-alpha.beta', undefined],
    ['1.0.0', undefined],
    ['1.0.1', 'PLUGIN_REQUIRED'],
    ['1.0.9', 'PLUGIN_REQUIRED'],
    ['1.1.0-alpha', 'PLUGIN_REQUIRED'],
    ['1.2.3', 'PLUGIN_REQUIRED'],
  ])('minimum version %s → %s', async (minVersion, code) => {
    const outcome = preparePlugin(directory, { name: UNITTEST_MOCK_PLUGIN, minVersion }, undefined);
    if (code === undefined) {
      await expect(outcome).resolves.toMatchObject({ capabilities: [CAPABILITY_TRUSTED_IDENTITY] });
    } else {
      await expect(outcome).rejects.toMatchObject({
        code,
        message: `found plugin ${UNITTEST_MOCK_PLUGIN} with version 1.0.0 but signature verification needs plugin version greater than or equal to ${minVersion}`,
      });
    }
  });

  it.each<{ name: string; plugin: string; config: Record<string, string> | undefined; code: string; message: RegExp }>([
    { name: 'not installed', plugin: 'plugin-name', config: undefined, code: 'PLUGIN_REQUIRED', message: /^error while locating the verification plugin "plugin-name"/ },
    { name: 'no verifier capability', plugin: UNITTEST_MOCK_PLUGIN, config: { capabilities: 'SIGNATURE_GENERATOR.RAW' }, code: 'PLUGIN_REQUIRED', message: /requires plugin .* with signature verification capabilities/ },
    { name: 'invalid plugin version', plugin: UNITTEST_MOCK_PLUGIN, config: { version: 'one' }, code: 'PLUGIN_ERROR', message: /which is not in valid semver format/ },
  ])('preparePlugin: $name → $code', async ({ plugin, config, code, message }) => {
    const err = await preparePlugin(directory, { name: plugin }, config).catch((e: unknown) => e);
    expect(err).toMatchObject({ code });
    expect((err as Error).message).toMatch(message);
  });

  it('preparePlugin without any provider → PLUGIN_REQUIRED', async () => {
    expect(await codeOf(preparePlugin(undefined, { name: 'x' }, undefined))).toBe('PLUGIN_REQUIRED');
  });
});

describe('interpretVerifySignatureResponse', () => {
  const both: VerificationCapability[] = [CAPABILITY_TRUSTED_IDENTITY, CAPABILITY_REVOCATION_CHECK];
  it.each<{ name: string; requested: VerificationCapability[]; unprocessed: string[]; response: Parameters<typeof interpretVerifySignatureResponse>[3]; code: string | undefined }>([
    {
      name: 'all results, attributes processed',
      requested: both,
      unprocessed: ['SomeKey'],
      response: { verificationResults: { [CAPABILITY_TRUSTED_IDENTITY]: { success: true }, [CAPABILITY_REVOCATION_CHECK]: { success: false, reason: 'revoked' } }, processedAttributes: ['SomeKey'] },
      code: undefined,
    },
    {
      name: 'missing result',
      requested: both,
      unprocessed: [],
      response: { verificationResults: { [CAPABILITY_TRUSTED_IDENTITY]: { success: true } }, processedAttributes: [] },
      code: 'PLUGIN_ERROR',
    },
    {
      name: 'unrequested result',
      requested: [CAPABILITY_TRUSTED_IDENTITY],
      unprocessed: [],
      response: { verificationResults: { [CAPABILITY_TRUSTED_IDENTITY]: { success: true }, [CAPABILITY_REVOCATION_CHECK]: { success: true } }, processedAttributes: [] },
      code: 'PLUGIN_ERROR',
    },
    {
      name: 'unprocessed critical attribute',
      requested: [CAPABILITY_TRUSTED_IDENTITY],
      unprocessed: ['SomeKey'],
      response: { verificationResults: { [CAPABILITY_TRUSTED_IDENTITY]: { success: true } }, processedAttributes: [] },
      code: 'UNKNOWN_CRITICAL_ATTRIBUTE',
    },
  ])('$name → $code', ({ requested, unprocessed, response, code }) => {
    const run = () => interpretVerifySignatureResponse('p', requested, unprocessed, response);
    if (code) expect(run).toThrow(expect.objectContaining({ code }));
    else expect(run().get(CAPABILITY_REVOCATION_CHECK)).toEqual({ success: false, reason: 'revoked' });
  });
});
