// A self-contained verification setting: a real registry on loopback, signed and unsigned images,
// a generated test CA, and a file-mode config dir (TrustPolicy + TrustStore YAML) trusting it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MEDIA_TYPE_OCI_LAYER_GZIP, RegistryClient, pushImage } from '../oci/index.js';
import { generateCertificateChain, signArtifact, type GeneratedChain } from '../notary/index.js';
import { startRegistry, type RegistryServer } from './registry-process.js';
import { tarGzLayer } from './image.js';

export const DEMO_REPOSITORY = 'kyverno-demo';
export const DEMO_TRUST_POLICY = 'demo-tp';
export const DEMO_TRUST_STORE = 'demo-ca';
export const DEMO_SIGNER_SUBJECT = 'C=US, ST=WA, L=Seattle, O=imgverify demo, CN=demo signer';

export interface DemoImage {
  /** `registry/repository:tag` */
  reference: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  signed: boolean;
}

export interface DemoEnvironment {
  registry: RegistryServer;
  client: RegistryClient;
  configDir: string;
  chain: GeneratedChain;
  signed: DemoImage[];
  unsigned: DemoImage[];
  close(): Promise<void>;
}

export interface DemoEnvironmentOptions {
  signedImages?: number;
  unsignedImages?: number;
  /** Envelope format of the signatures (default jws). */
  signatureFormat?: 'jws' | 'cose';
}

function trustPolicyManifest(): object {
  return {
    apiVersion: 'notation.nirmata.io/v1alpha1',
    kind: 'TrustPolicy',
    metadata: { name: DEMO_TRUST_POLICY },
    spec: {
      version: '1.0',
      trustPolicyName: DEMO_TRUST_POLICY,
      trustPolicies: [
        {
          name: 'demo',
          registryScopes: ['*'],
          signatureVerification: { level: 'strict', override: {} },
          trustStores: [`ca:${DEMO_TRUST_STORE}`],
          trustedIdentities: [`x509.subject: ${DEMO_SIGNER_SUBJECT}`],
        },
      ],
    },
  };
}

function trustStoreManifest(rootPem: string): object {
  return {
    apiVersion: 'notation.nirmata.io/v1alpha1',
    kind: 'TrustStore',
    metadata: { name: DEMO_TRUST_STORE },
    spec: { trustStoreName: DEMO_TRUST_STORE, type: 'ca', caBundle: rootPem },
  };
}

export async function createDemoEnvironment(options: DemoEnvironmentOptions = {}): Promise<DemoEnvironment> {
  const registry = await startRegistry();
  const configDir = await mkdtemp(join(tmpdir(), 'imgverify-demo-config-'));
  const client = new RegistryClient({ registries: { [registry.host]: { plainHttp: true } } });
  const close = async () => {
    await client.close();
    await registry.stop();
    await rm(configDir, { recursive: true, force: true });
  };
  try {
    const chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { commonName: 'demo signer', subject: DEMO_SIGNER_SUBJECT } });
    const store = client.repository(registry.host, DEMO_REPOSITORY);
    const push = async (tag: string, signed: boolean): Promise<DemoImage> => {
      const layer = tarGzLayer('hello.txt', `hello from ${DEMO_REPOSITORY}:${tag}\n`);
      const image = await pushImage(store, { tag, layers: [layer], layerMediaType: MEDIA_TYPE_OCI_LAYER_GZIP });
      if (signed) {
        await signArtifact(store, image.descriptor.digest, {
          key: chain.leaf.privateKey,
          certificateChain: chain.chain,
          signatureFormat: options.signatureFormat ?? 'jws',
        });
      }
      return {
        reference: `${registry.host}/${DEMO_REPOSITORY}:${tag}`,
        registry: registry.host,
        repository: DEMO_REPOSITORY,
        tag,
        digest: image.descriptor.digest,
        signed,
      };
    };
    const signedCount = options.signedImages ?? 1;
    const unsignedCount = options.unsignedImages ?? 1;
    const signed: DemoImage[] = [];
    const unsigned: DemoImage[] = [];
    for (let i = 0; i < signedCount; i++) signed.push(await push(signedCount === 1 ? 'v1' : `v1-${i}`, true));
    for (let i = 0; i < unsignedCount; i++) unsigned.push(await push(unsignedCount === 1 ? 'v1-unsigned' : `v1-unsigned-${i}`, false));
    await writeFile(join(configDir, 'trustpolicy.yaml'), stringify(trustPolicyManifest()));
    await writeFile(join(configDir, 'truststore.yaml'), stringify(trustStoreManifest(chain.root.pem)));
    return { registry, client, configDir, chain, signed, unsigned, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The `images` variable Kyverno sends for a pod with these containers (seed 000's request body). */
export function kyvernoImagesRequest(containers: ReadonlyArray<{ name: string; image: DemoImage }>, trustPolicy?: string): object {
  const entries = containers.map(({ name, image }, index) => [
    name,
    {
      registry: image.registry,
      path: image.repository,
      name: image.repository.split('/').pop(),
      tag: image.tag,
      // Kyverno fills digest when the pod names the image by digest (reference `repo@sha256:…`).
      digest: image.reference.includes('@') ? image.digest : '',
      reference: image.reference,
      referenceWithTag: image.reference,
      jsonPointer: `/spec/containers/${index}/image`,
    },
  ]);
  return {
    images: { containers: Object.fromEntries(entries), initContainers: {}, ephemeralContainers: {} },
    ...(trustPolicy ? { trustPolicy } : {}),
  };
}
