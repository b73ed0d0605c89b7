// What each command loads (issue 18, start-up time): the built CLI run with a module trace, each loaded
// chunk of dist/cli/ mapped to the packages esbuild put in it, so an eager import of a library a command
// does not need fails here. Times are measured by bench/startup.ts, not by tests.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../scripts/bundle-cli.js';
import { importCommonJs } from '../../src/common/lazy-import.js';
import { makeInstall, REPOSITORY, runBin, type Install } from '../support/built-cli.js';
import { startRegistry } from '../support/registry.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';

const MODULE_TRACE = join(REPOSITORY, 'test', 'support', 'module-trace', 'register.mjs');
const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
/** The signed image of notation's e2e layout (oci_layout/e2e-valid-signature). */
const E2E_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

/** Libraries of the service, the cluster, the cloud, the registry protocol and the policy engines. */
const SERVICE = ['fastify', 'pino', 'prom-client', 'ioredis'];
const CLUSTER_AND_CLOUD = ['@kubernetes/client-node', '@aws-sdk/client-ecr', '@aws-sdk/client-kms', '@aws-sdk/client-signer', '@aws-sdk/credential-providers'];
const POLICY = ['ajv', 'yaml', 're2js', '@jmespath-community/jmespath', '@sigstore/verify', '@sigstore/tuf', 'tuf-js', 'jose'];
const CERTIFICATES = ['@peculiar/x509', 'reflect-metadata', 'pkijs', 'asn1js'];

const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/]+)\//;

describe('modules each command loads', () => {
  let install: Install;
  let work: string;
  /** Chunk file name → packages bundled into it. */
  let chunkPackages: Map<string, Set<string>>;
  /** Package name → the chunk esbuild made for it as a dynamic import()'s entry point. */
  let entryChunks: Map<string, string>;

  beforeAll(async () => {
    install = await makeInstall();
    const metafile = await bundleCli(join(install.root, 'dist', 'cli'), { metafile: true });
    chunkPackages = new Map(
      Object.entries(metafile.outputs).map(([output, { inputs }]) => [
        basename(output),
        new Set(Object.keys(inputs).flatMap((input) => PACKAGE.exec(input)?.[1] ?? [])),
      ]),
    );
    entryChunks = new Map(
      Object.entries(metafile.outputs).flatMap(([output, { entryPoint }]) => {
        const name = entryPoint === undefined ? undefined : PACKAGE.exec(entryPoint)?.[1];
        return name === undefined ? [] : [[name, basename(output)] as const];
      }),
    );
    work = await mkdtemp(join(tmpdir(), 'imgverify-startup-modules-'));
    await mkdir(join(work, 'notation', 'truststore', 'x509', 'ca', 'e2e'), { recursive: true });
    await copyFile(join(E2E, 'localkeys', 'e2e.crt'), join(work, 'notation', 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'));
    await copyFile(join(E2E, 'trustpolicies', 'trustpolicy.json'), join(work, 'notation', 'trustpolicy.json'));
    await mkdir(join(work, 'serve'));
    for (const file of ['trustpolicy.yaml', 'truststore.yaml']) await copyFile(join(REPOSITORY, 'examples', 'serve', file), join(work, 'serve', file));
  }, 60_000);
  afterAll(async () => {
    await install?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Runs the CLI with the module trace; the packages of every file it imported (bundled or not). */
  async function loadedPackages(args: string[], stopWhen?: RegExp): Promise<{ code: number | null; stdout: string; packages: string[] }> {
    const run = await runBin(install, args, { env: { NODE_OPTIONS: `--import=${MODULE_TRACE}` }, ...(stopWhen ? { stopWhen } : {}) });
    const files = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('MODULE '))
      .map((line) => line.slice('MODULE '.length));
    const packages = new Set<string>();
    for (const file of files) {
      const external = PACKAGE.exec(file)?.[1];
      if (external) packages.add(external);
      for (const name of chunkPackages.get(basename(file)) ?? []) packages.add(name);
    }
    return { code: run.code, stdout: run.stdout, packages: [...packages].sort() };
  }

  const among = (packages: string[], names: string[]): string[] => names.filter((name) => packages.includes(name));

  it('--help: commander only', async () => {
    const run = await loadedPackages(['--help']);
    expect(run.code).toBe(0);
    expect(run.packages).toEqual(['commander']);
  });

  it('verify --oci-layout: the certificate stacks, and no service, cluster, cloud, HTTP or policy-engine library', async () => {
    const reference = `${join(E2E, 'oci_layout', 'e2e-valid-signature')}@${E2E_DIGEST}`;
    const run = await loadedPackages(['verify', '--oci-layout', '--config-dir', join(work, 'notation'), '--no-revocation-cache', reference]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Successfully verified signature for oci-layout:${reference}\n`);
    expect(among(run.packages, CERTIFICATES)).toEqual(CERTIFICATES);
    expect(among(run.packages, [...SERVICE, ...CLUSTER_AND_CLOUD, ...POLICY, 'undici'])).toEqual([]);
  });

  it('serve in file mode: the service libraries and YAML, and no Kubernetes, Redis, cloud or attestation library', async () => {
    const args = ['serve', '--config-dir', join(work, 'serve'), '--notls', '--bind-address', '127.0.0.1:0', '--metrics-bind-address', '0', '--health-probe-bind-address', '0'];
    const run = await loadedPackages(args, /^imgverify serve: /m);
    expect(among(run.packages, ['fastify', 'pino', 'prom-client', 'yaml'])).toEqual(['fastify', 'pino', 'prom-client', 'yaml']);
    expect(among(run.packages, [...CLUSTER_AND_CLOUD, 'ioredis', 're2js', '@jmespath-community/jmespath', '@sigstore/verify', '@sigstore/tuf', 'tuf-js'])).toEqual([]);
  });

  it('copy to a registry and verify there: undici, loaded on the first request, works in the bundle', async () => {
    const registry = await startRegistry();
    try {
      const target = `${registry.host}/e2e:v1`;
      const copy = await runBin(install, ['copy', '-r', '--from-oci-layout', `${join(E2E, 'oci_layout', 'e2e-valid-signature')}:v1`, target, '--plain-http']);
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      const verify = await runBin(install, ['verify', '--config-dir', join(work, 'notation'), '--no-revocation-cache', '--plain-http', `${registry.host}/e2e@${E2E_DIGEST}`]);
      expect(verify.stdout).toBe(`Successfully verified signature for ${registry.host}/e2e@${E2E_DIGEST}\n`);
      expect(verify.code).toBe(0);
    } finally {
      await registry.stop();
    }
  });

  // esbuild's split bundle gives a CommonJS package loaded with import() as a default export only: each one
  // the code loads on first use must be reached through importCommonJs (undici, the AWS SDK, yaml).
  it.each([
    ['undici', 'Agent'],
    ['@aws-sdk/client-ecr', 'ECRClient'],
    ['@aws-sdk/client-kms', 'KMSClient'],
    ['@aws-sdk/client-signer', 'SignerClient'],
    ['@aws-sdk/credential-providers', 'fromNodeProviderChain'],
    ['yaml', 'parse'],
  ])('the bundled %s, loaded on first use, has %s', async (name, member) => {
    const chunk = entryChunks.get(name);
    expect(chunk, `dist/cli/ has a chunk of its own for ${name}, loaded with import()`).toBeDefined();
    const exports = await importCommonJs(() => import(join(install.root, 'dist', 'cli', chunk ?? '')) as Promise<Record<string, unknown>>);
    expect(typeof exports[member]).toBe('function');
  });
});
