// An in-memory ArtifactStore double for verifier tests: artifacts are bare descriptors, signatures are real manifests and envelopes.
import { createHash } from 'node:crypto';
import type { ArtifactStore, Descriptor, FetchedManifest, ImageManifest, RequestOptions } from '../../../src/oci/types.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE } from '../../../src/notary/types.js';

const EMPTY_CONFIG = new TextEncoder().encode('{}');
const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MEDIA_TYPE_EMPTY = 'application/vnd.oci.empty.v1+json';

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export type SignatureManifestForm = 'artifact' | 'image';

export interface AddSignatureOptions {
  form?: SignatureManifestForm;
  /** `org.opencontainers.image.created`, to order signatures. */
  created?: string;
  /** Override the manifest's subject (to build inconsistent manifests). */
  subject?: Descriptor;
  /** Extra layers / wrong layer media type, for malformed manifests. */
  layers?: Descriptor[];
}

/**
 * Stands in for a registry or layout holding artifacts whose content the verifier never reads:
 * notation-go's mock envelopes sign descriptors of images that exist nowhere, so the artifact is
 * only a descriptor here, while signature manifests and envelopes are real bytes with real digests.
 */
export class ArtifactStoreDouble implements ArtifactStore {
  readonly name: string;
  private readonly tags = new Map<string, Descriptor>();
  private readonly manifests = new Map<string, FetchedManifest>();
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly referrerList = new Map<string, Descriptor[]>();
  /** Count of calls, to assert the verifier resolves once and fetches nothing for `skip`. */
  readonly calls = { resolve: 0, referrers: 0, fetchManifest: 0, fetchBlob: 0 };

  constructor(name = 'localhost:5000/net-monitor') {
    this.name = name;
  }

  /** Make `tag` (and the digest itself) resolve to `descriptor`. */
  addArtifact(descriptor: Descriptor, tag?: string): void {
    this.tags.set(descriptor.digest, descriptor);
    if (tag) this.tags.set(tag, descriptor);
  }

  /** Store an index manifest for real (platform selection reads it). */
  addIndex(bytes: Uint8Array, tag?: string): Descriptor {
    const descriptor = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(bytes), size: bytes.length };
    this.manifests.set(descriptor.digest, { descriptor, bytes, manifest: JSON.parse(Buffer.from(bytes).toString('utf8')) });
    this.addArtifact(descriptor, tag);
    return descriptor;
  }

  addSignature(subject: Descriptor, envelopeMediaType: string, envelope: Uint8Array, options: AddSignatureOptions = {}): Descriptor {
    const form = options.form ?? 'artifact';
    const blob = { mediaType: envelopeMediaType, digest: sha256(envelope), size: envelope.length };
    this.blobs.set(blob.digest, envelope);
    const annotations: Record<string, string> = { 'io.cncf.notary.x509chain.thumbprint#S256': '[]' };
    if (options.created) annotations['org.opencontainers.image.created'] = options.created;
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_MANIFEST,
      ...(form === 'artifact' ? { artifactType: ARTIFACT_TYPE_NOTARY_SIGNATURE } : {}),
      config: { mediaType: form === 'artifact' ? MEDIA_TYPE_EMPTY : ARTIFACT_TYPE_NOTARY_SIGNATURE, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
      layers: options.layers ?? [blob],
      subject: options.subject ?? { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    const descriptor: Descriptor = { mediaType: MEDIA_TYPE_MANIFEST, digest: sha256(bytes), size: bytes.length, artifactType: ARTIFACT_TYPE_NOTARY_SIGNATURE, annotations };
    this.manifests.set(descriptor.digest, { descriptor, bytes, manifest });
    const list = this.referrerList.get(subject.digest) ?? [];
    list.push(descriptor);
    this.referrerList.set(subject.digest, list);
    return descriptor;
  }

  async resolve(tagOrDigest: string, options?: RequestOptions): Promise<Descriptor> {
    options?.signal?.throwIfAborted();
    this.calls.resolve++;
    const found = this.tags.get(tagOrDigest);
    if (!found) throw Object.assign(new Error(`${this.name}:${tagOrDigest}: manifest unknown`), { code: 'MANIFEST_NOT_FOUND' });
    return found;
  }

  async fetchManifest(target: Descriptor | string, options?: RequestOptions): Promise<FetchedManifest> {
    options?.signal?.throwIfAborted();
    this.calls.fetchManifest++;
    const digest = typeof target === 'string' ? target : target.digest;
    const found = this.manifests.get(digest);
    if (!found) throw Object.assign(new Error(`manifest ${digest} not found`), { code: 'MANIFEST_NOT_FOUND' });
    return found;
  }

  async fetchBlob(descriptor: Descriptor, options?: RequestOptions): Promise<Uint8Array> {
    options?.signal?.throwIfAborted();
    this.calls.fetchBlob++;
    const found = this.blobs.get(descriptor.digest);
    if (!found) throw Object.assign(new Error(`blob ${descriptor.digest} not found`), { code: 'BLOB_NOT_FOUND' });
    return found;
  }

  async referrers(subject: Descriptor, artifactType?: string, options?: RequestOptions): Promise<Descriptor[]> {
    options?.signal?.throwIfAborted();
    this.calls.referrers++;
    const list = this.referrerList.get(subject.digest) ?? [];
    return artifactType ? list.filter((d) => d.artifactType === artifactType) : [...list];
  }

  async pushBlob(): Promise<Descriptor> {
    throw new Error('the store double is read-only');
  }

  async pushManifest(): Promise<Descriptor> {
    throw new Error('the store double is read-only');
  }
}
