// The benchmark's setting: docker-registry on loopback with N signed images (the demo environment) plus a
// second repository of distinct signed images for the memory run, and the Kyverno request bodies.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDemoEnvironment, kyvernoImagesRequest, DEMO_TRUST_POLICY, tarGzLayer, type DemoEnvironment, type DemoImage } from '../../src/demo/index.js';
import { signArtifact } from '../../src/notary/index.js';
import { MEDIA_TYPE_OCI_LAYER_GZIP, pushImage } from '../../src/oci/index.js';

/** Repository of the images that fill the cache in the memory run (kept apart from the latency images). */
export const MEMORY_REPOSITORY = 'bench-memory';
/** Images pushed at the same time while building the memory repository. */
const PUSH_CONCURRENCY = 8;

export interface BenchFixture {
  environment: DemoEnvironment;
  /** Signed images of the demo repository: the first `count` go into a request of `count` images. */
  images: DemoImage[];
  /** Distinct signed images for the memory run. */
  memoryImages: DemoImage[];
  /** DER of the test root CA the trust store holds (the floor's trust anchor). */
  rootDer: Uint8Array;
  /** `docker-registry --version` as printed. */
  registryVersion: string;
  close(): Promise<void>;
}

/** Run `work(i)` for i in [0, count) with at most `concurrency` at a time; results in index order. */
export async function mapConcurrent<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return results;
}

async function registryVersion(): Promise<string> {
  const binary = process.env.IMGVERIFY_REGISTRY_BIN ?? 'docker-registry';
  try {
    const { stdout } = await promisify(execFile)(binary, ['--version'], { timeout: 10_000 });
    return stdout.trim();
  } catch (err) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`;
  }
}

async function pushSignedImages(environment: DemoEnvironment, repository: string, count: number): Promise<DemoImage[]> {
  const { registry, client, chain } = environment;
  const store = client.repository(registry.host, repository);
  return mapConcurrent(count, PUSH_CONCURRENCY, async (index) => {
    const tag = `m-${index}`;
    const layer = tarGzLayer('hello.txt', `hello from ${repository}:${tag}\n`);
    const image = await pushImage(store, { tag, layers: [layer], layerMediaType: MEDIA_TYPE_OCI_LAYER_GZIP });
    await signArtifact(store, image.descriptor.digest, { key: chain.leaf.privateKey, certificateChain: chain.chain, signatureFormat: 'jws' });
    return { reference: `${registry.host}/${repository}:${tag}`, registry: registry.host, repository, tag, digest: image.descriptor.digest, signed: true };
  });
}

export async function createBenchFixture(options: { images: number; memoryImages: number; unsignedImages?: number }): Promise<BenchFixture> {
  const environment = await createDemoEnvironment({ signedImages: options.images, unsignedImages: options.unsignedImages ?? 0 });
  try {
    const memoryImages = options.memoryImages > 0 ? await pushSignedImages(environment, MEMORY_REPOSITORY, options.memoryImages) : [];
    return {
      environment,
      images: environment.signed,
      memoryImages,
      rootDer: environment.chain.root.der,
      registryVersion: await registryVersion(),
      close: () => environment.close(),
    };
  } catch (err) {
    await environment.close();
    throw err;
  }
}

/** The body Kyverno posts for a pod whose containers run `images` (trust policy named, as the demo does). */
export function checkImagesBody(images: readonly DemoImage[]): string {
  return JSON.stringify(kyvernoImagesRequest(images.map((image, index) => ({ name: `c${index}`, image })), DEMO_TRUST_POLICY));
}

/** The body for a pod that names `images` by digest (no tag): a warm service answers it without asking the registry. */
export function checkImagesBodyByDigest(images: readonly DemoImage[]): string {
  return checkImagesBody(images.map((image) => ({ ...image, reference: `${image.registry}/${image.repository}@${image.digest}`, tag: '' })));
}
