// Test harness of the service: a real registry with signed and unsigned images, a trust config dir, HTTP helpers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signArtifact } from '../../src/notary/index.js';
import { pushImage, RegistryClient, type Descriptor } from '../../src/oci/index.js';
import { trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

export interface SignedRegistry {
  registry: RegistryServer;
  client: RegistryClient;
  chain: GeneratedChain;
  /** Push a one-layer image with `content` under `repository:tag`. */
  push(repository: string, tag: string, content: string): Promise<Descriptor>;
  /** Sign `repository@digest` (or `:tag`) with the test chain. */
  sign(repository: string, tagOrDigest: string, options?: { format?: 'jws' | 'cose'; form?: 'artifact' | 'image' }): Promise<void>;
  stop(): Promise<void>;
}

/** A real docker-registry and a generated Notary test CA (root → intermediate → code-signing leaf). */
export async function startSignedRegistry(): Promise<SignedRegistry> {
  const [registry, chain] = await Promise.all([
    startRegistry(),
    generateCertificateChain({ keyType: 'ec-256', intermediate: true, commonName: 'imgverify service test signer', leaf: { keys: await cachedKeyPair('ec-256', 'service-leaf') } }),
  ]);
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  return {
    registry,
    client,
    chain,
    async push(repository, tag, content) {
      const image = await pushImage(client.repository(registry.host, repository), { tag, layers: [new TextEncoder().encode(content)] });
      return image.descriptor;
    },
    async sign(repository, tagOrDigest, options = {}) {
      await signArtifact(client.repository(registry.host, repository), tagOrDigest, {
        key: chain.leaf.privateKey,
        certificateChain: chain.chain,
        signatureFormat: options.format ?? 'jws',
        signatureManifest: options.form ?? 'artifact',
      });
    },
    async stop() {
      await client.close();
      await registry.stop();
    },
  };
}

export interface TrustConfigDir {
  dir: string;
  /** Rewrite the TrustPolicy file (atomically: temp file + rename, as editors and ConfigMaps do). */
  writePolicy(options: Parameters<typeof trustPolicyYaml>[0]): Promise<void>;
  remove(): Promise<void>;
}

/** A config dir with TrustPolicy `name` (scope *, strict, any identity) and TrustStore `ca:<name>-ts` holding `rootPem`. */
export async function createTrustConfigDir(name: string, rootPem: string): Promise<TrustConfigDir> {
  const dir = await mkdtemp(join(tmpdir(), 'imgverify-service-config-'));
  await writeFile(join(dir, 'truststore.yaml'), trustStoreYaml({ name: `${name}-ts`, pem: rootPem }));
  await writeFile(join(dir, 'trustpolicy.yaml'), trustPolicyYaml({ name }));
  return {
    dir,
    async writePolicy(options) {
      const temp = join(dir, '.trustpolicy.yaml.tmp');
      await writeFile(temp, trustPolicyYaml(options));
      const { rename } = await import('node:fs/promises');
      await rename(temp, join(dir, 'trustpolicy.yaml'));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function post(url: string, body: unknown, init: RequestInit = {}): Promise<HttpAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Kyverno's images variable for one container. */
export function kyvernoContainer(registryHost: string, path: string, tag: string, jsonPointer = '/spec/containers/0/image') {
  const name = path.split('/').pop() ?? path;
  return {
    registry: registryHost,
    path,
    name,
    tag,
    digest: '',
    reference: `${registryHost}/${path}:${tag}`,
    referenceWithTag: `${registryHost}/${path}:${tag}`,
    jsonPointer,
  };
}

/** What Go's json.MarshalIndent(v, "  ", "  ") writes: the exact 200 body the service must send. */
export function goIndented(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
}
