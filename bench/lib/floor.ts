// The floor: what one verification costs at the least — the same registry requests over a bare undici
// keep-alive pool and the same signature checks with node:crypto, no imgverify code on the path.
import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { Pool } from 'undici';
import type { DemoImage } from '../../src/demo/index.js';
import { mapConcurrent } from './fixtures.js';

/** The Accept header of manifest requests (OCI and Docker manifests and indexes, as the service sends). */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');
const NOTARY_SIGNATURE_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
const JWS_MEDIA_TYPE = 'application/jose+json';
const NOTARY_PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
/** Keep-alive connections to the registry: the service's registry client allows as many per origin. */
export const FLOOR_CONNECTIONS = 16;
/** Registry requests the floor makes per image: HEAD by tag, tag-schema referrers index, signature manifest, envelope blob. */
export const FLOOR_REQUESTS_PER_IMAGE = 4;

export interface FloorOptions {
  /** `http://127.0.0.1:<port>` of the registry. */
  registryUrl: string;
  /** DER of the trusted root (the trust store). */
  trustAnchorDer: Uint8Array;
  /** RDNs the signing certificate's subject must hold (the trust policy's trusted identity), e.g. `CN=demo signer`. */
  trustedSubject: readonly string[];
  /** Images verified at once per request (the service's image concurrency). */
  concurrency: number;
  /** Keep-alive connections to the registry (default FLOOR_CONNECTIONS). */
  connections?: number;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
}

interface FloorManifest {
  mediaType?: string;
  artifactType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
  subject?: Descriptor;
}

class FloorFailure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FloorFailure(message);
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class Floor {
  readonly #pool: Pool;
  readonly #options: FloorOptions;
  readonly #anchor: Buffer;

  constructor(options: FloorOptions) {
    this.#options = options;
    this.#anchor = Buffer.from(options.trustAnchorDer);
    this.#pool = new Pool(options.registryUrl, { connections: options.connections ?? FLOOR_CONNECTIONS, keepAliveTimeout: 30_000 });
  }

  async #get(path: string, accept?: string): Promise<{ bytes: Uint8Array; digest: string | undefined }> {
    const res = await this.#pool.request({ method: 'GET', path, ...(accept ? { headers: { accept } } : {}) });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    check(res.statusCode === 200, `GET ${path}: HTTP ${res.statusCode}`);
    return { bytes, digest: headerValue(res.headers['docker-content-digest']) };
  }

  /** Tag or digest → descriptor (HEAD manifest). */
  async #resolve(image: DemoImage, tagOrDigest: string): Promise<Descriptor> {
    // reset: false keeps the connection open after HEAD, as it does after GET (undici closes it by default).
    const res = await this.#pool.request({ method: 'HEAD', reset: false, path: `/v2/${image.repository}/manifests/${tagOrDigest}`, headers: { accept: MANIFEST_ACCEPT } });
    await res.body.dump();
    check(res.statusCode === 200, `HEAD ${image.reference}: HTTP ${res.statusCode}`);
    const digest = headerValue(res.headers['docker-content-digest']);
    const mediaType = headerValue(res.headers['content-type']);
    const size = Number(headerValue(res.headers['content-length']));
    check(digest && mediaType && size > 0, `HEAD ${image.reference}: no digest, media type or length`);
    return { digest, mediaType, size };
  }

  /** docker-registry has no Referrers API: the `sha256-<hex>` tag holds the referrers index. */
  async #referrersIndex(image: DemoImage, digest: string): Promise<{ bytes: Uint8Array; digest: string | undefined }> {
    const index = await this.#get(`/v2/${image.repository}/manifests/${digest.replace(':', '-')}`, MANIFEST_ACCEPT);
    check(index.digest === sha256(index.bytes), 'referrers index digest mismatch');
    return index;
  }

  /**
   * Verify one image: resolve, list signatures (referrers tag schema), fetch and check the newest one. Returns the
   * digest. By digest (`byDigest`), the HEAD and the referrers index need only the digest and go out together.
   */
  async verifyImage(image: DemoImage, byDigest = false): Promise<string> {
    const [target, index] = byDigest
      ? await Promise.all([this.#resolve(image, image.digest), this.#referrersIndex(image, image.digest)])
      : await this.#resolve(image, image.tag).then(async (target) => [target, await this.#referrersIndex(image, target.digest)] as const);
    check(target.digest === image.digest || !byDigest, 'the registry answered another digest');
    const repository = `/v2/${image.repository}`;
    const signatures = ((JSON.parse(Buffer.from(index.bytes).toString('utf8')) as FloorManifest).manifests ?? []).filter(
      (d) => d.artifactType === NOTARY_SIGNATURE_ARTIFACT_TYPE,
    );
    const candidate = signatures[0];
    check(candidate, `no signature for ${image.reference}`);

    const signatureManifest = await this.#get(`${repository}/manifests/${candidate.digest}`, MANIFEST_ACCEPT);
    check(sha256(signatureManifest.bytes) === candidate.digest, 'signature manifest digest mismatch');
    const manifest = JSON.parse(Buffer.from(signatureManifest.bytes).toString('utf8')) as FloorManifest;
    check(manifest.subject?.digest === target.digest, 'signature manifest subject is not the image');
    const layer = manifest.layers?.[0];
    check(layer && layer.mediaType === JWS_MEDIA_TYPE, 'signature manifest has no JWS envelope layer');

    const envelope = await this.#get(`${repository}/blobs/${layer.digest}`);
    check(envelope.bytes.length === layer.size && sha256(envelope.bytes) === layer.digest, 'envelope digest mismatch');
    this.#verifyJws(envelope.bytes, target);
    return target.digest;
  }

  /** The JWS envelope's signature, payload target, and chain (leaf ← root, root trusted, validity, identity). */
  #verifyJws(bytes: Uint8Array, target: Descriptor): void {
    const jws = JSON.parse(Buffer.from(bytes).toString('utf8')) as { protected: string; payload: string; signature: string; header: { x5c: string[] } };
    const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8')) as { alg?: string; cty?: string; crit?: string[] };
    check(header.alg === 'ES256' && header.cty === NOTARY_PAYLOAD_TYPE, 'unexpected protected header');
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as { targetArtifact?: Descriptor };
    const signed = payload.targetArtifact;
    check(signed && signed.digest === target.digest && signed.mediaType === target.mediaType && signed.size === target.size, 'payload is for another artifact');

    const [leafB64, rootB64] = jws.header.x5c;
    check(leafB64 && rootB64 && jws.header.x5c.length === 2, 'expected a leaf and a root in x5c');
    const leaf = new X509Certificate(Buffer.from(leafB64, 'base64'));
    const root = new X509Certificate(Buffer.from(rootB64, 'base64'));
    const signingInput = Buffer.from(`${jws.protected}.${jws.payload}`, 'ascii');
    const ok = cryptoVerify('sha256', signingInput, { key: leaf.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(jws.signature, 'base64url'));
    check(ok, 'envelope signature does not verify');
    check(leaf.checkIssued(root) && leaf.verify(root.publicKey), 'leaf not issued by root');
    check(root.checkIssued(root) && root.verify(root.publicKey), 'root not self-signed');
    check(root.raw.equals(this.#anchor), 'root is not the trust anchor');
    const now = Date.now();
    for (const certificate of [leaf, root]) {
      check(Date.parse(certificate.validFrom) <= now && now <= Date.parse(certificate.validTo), 'certificate not valid now');
    }
    const subject = leaf.subject.split('\n');
    check(this.#options.trustedSubject.every((rdn) => subject.includes(rdn)), 'untrusted identity');
  }

  /** Resolve every tag of `images` (what a warm request must do at least): `concurrency` HEADs at a time. */
  async resolveRequest(images: readonly DemoImage[]): Promise<void> {
    await mapConcurrent(images.length, this.#options.concurrency, (index) => this.#resolve(images[index] as DemoImage, (images[index] as DemoImage).tag));
  }

  /** Verify `images` as one request does: `concurrency` at a time. */
  verifyRequest(images: readonly DemoImage[], byDigest = false): Promise<string[]> {
    return mapConcurrent(images.length, this.#options.concurrency, (index) => this.verifyImage(images[index] as DemoImage, byDigest));
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}

/** `C=US, ST=WA, CN=x` → `['C=US', 'ST=WA', 'CN=x']` (node's X509Certificate.subject lists one RDN a line). */
export function subjectRdns(subject: string): string[] {
  return subject.split(',').map((part) => part.trim());
}
