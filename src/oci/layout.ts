// The OCI image layout store: read and write `oci-layout`, `index.json` and `blobs/<alg>/<hex>`.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { readFileLimited } from '../common/index.js';
import { isDigest } from '../reference/index.js';
import { sizeLimitError } from './body.js';
import {
  ANNOTATION_REF_NAME,
  DEFAULT_MAX_BLOB_BYTES,
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_MAX_REFERRERS,
  MEDIA_TYPE_OCI_INDEX,
  OCI_LAYOUT_BLOBS_DIR,
  OCI_LAYOUT_FILE,
  OCI_LAYOUT_INDEX_FILE,
  OCI_LAYOUT_VERSION,
} from './constants.js';
import { computeDigest, parseDigest, verifyContent } from './digest.js';
import { OciError } from './errors.js';
import { encodeGoJson, descriptorJson } from './json.js';
import { isImageIndex, parseDescriptor, parseManifest, plainDescriptor, referrerDescriptor } from './manifest.js';
import { addReferrer, buildReferrersIndex, filterByArtifactType, isReferrersTag, referrersTag, uniqueByDigest } from './referrers.js';
import type { ArtifactStore, Descriptor, FetchedManifest, RequestOptions } from './types.js';

/** Largest index.json read; it lists every manifest of the layout. */
export const MAX_LAYOUT_INDEX_BYTES = 16 * 1024 * 1024;

export interface OciLayoutOptions {
  /** Create the layout (directory, `oci-layout`, empty `index.json`) when it does not exist. */
  create?: boolean;
  maxManifestBytes?: number;
  maxBlobBytes?: number;
  maxReferrers?: number;
  /**
   * Also keep referrers in a referrers tag-schema index (`sha256-<hex>`) when pushing a manifest
   * with a subject, as notation's layouts do (default true). Readers find referrers either way.
   */
  referrersTagSchema?: boolean;
}

interface LayoutIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

function checkAborted(options?: RequestOptions): void {
  if (options?.signal?.aborted) {
    throw new OciError('ABORTED', 'the operation was cancelled', { cause: options.signal.reason });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** An OCI image layout directory as an ArtifactStore. Every read is size-limited and digest-checked. */
export class OciLayoutStore implements ArtifactStore {
  readonly name: string;
  readonly path: string;
  private readonly maxManifestBytes: number;
  private readonly maxBlobBytes: number;
  private readonly maxReferrers: number;
  private readonly referrersTagSchema: boolean;
  /** Serialises index.json read-modify-write cycles within this process. */
  private indexLock: Promise<unknown> = Promise.resolve();
  /** Content-addressed, so safe to cache: digest → referrer descriptor and its subject, or null. */
  private readonly subjectCache = new Map<string, { subject: string; descriptor: Descriptor } | null>();

  private constructor(path: string, options: OciLayoutOptions) {
    this.path = path;
    this.name = `oci-layout:${path}`;
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.maxReferrers = options.maxReferrers ?? DEFAULT_MAX_REFERRERS;
    this.referrersTagSchema = options.referrersTagSchema ?? true;
  }

  static async open(path: string, options: OciLayoutOptions = {}): Promise<OciLayoutStore> {
    const root = resolvePath(path);
    const layoutFile = join(root, OCI_LAYOUT_FILE);
    if (!(await exists(layoutFile))) {
      if (!options.create) {
        throw new OciError('INVALID_LAYOUT', `${root} is not an OCI image layout (no ${OCI_LAYOUT_FILE} file); check the path or create one with --to-oci-layout`);
      }
      await mkdir(join(root, OCI_LAYOUT_BLOBS_DIR), { recursive: true });
      await writeFile(layoutFile, JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
      if (!(await exists(join(root, OCI_LAYOUT_INDEX_FILE)))) {
        await writeFile(join(root, OCI_LAYOUT_INDEX_FILE), JSON.stringify({ schemaVersion: 2, manifests: [] }));
      }
    }
    let version: unknown;
    try {
      version = (JSON.parse(await readFile(layoutFile, 'utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch (err) {
      throw new OciError('INVALID_LAYOUT', `${layoutFile} is not valid JSON`, { cause: err });
    }
    if (version !== OCI_LAYOUT_VERSION) {
      throw new OciError('INVALID_LAYOUT', `${layoutFile} has imageLayoutVersion ${JSON.stringify(version)}; only ${OCI_LAYOUT_VERSION} is supported`);
    }
    const store = new OciLayoutStore(root, options);
    await store.readIndex();
    return store;
  }

  private blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.path, OCI_LAYOUT_BLOBS_DIR, algorithm, hex);
  }

  private async readIndex(): Promise<LayoutIndex> {
    const path = join(this.path, OCI_LAYOUT_INDEX_FILE);
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      throw new OciError('INVALID_LAYOUT', `${this.path} has no ${OCI_LAYOUT_INDEX_FILE}`, { cause: err });
    }
    if (info.size > MAX_LAYOUT_INDEX_BYTES) {
      throw sizeLimitError(`${path}`, info.size, MAX_LAYOUT_INDEX_BYTES, 'the layout lists too many manifests');
    }
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new OciError('INVALID_LAYOUT', `${path} is not valid JSON`, { cause: err });
    }
    const record = json as { schemaVersion?: unknown; manifests?: unknown; mediaType?: unknown; annotations?: unknown };
    if (typeof json !== 'object' || json === null || record.schemaVersion !== 2 || !Array.isArray(record.manifests)) {
      throw new OciError('INVALID_LAYOUT', `${path} is not an image index (schemaVersion 2 with a manifests array)`);
    }
    const manifests = record.manifests.map((entry, i) => parseDescriptor(entry, `${path} manifests[${i}]`));
    const index: LayoutIndex = { schemaVersion: 2, manifests };
    if (typeof record.mediaType === 'string') index.mediaType = record.mediaType;
    if (record.annotations && typeof record.annotations === 'object') index.annotations = record.annotations as Record<string, string>;
    return index;
  }

  private async writeIndex(index: LayoutIndex): Promise<void> {
    const body = encodeGoJson({
      schemaVersion: 2,
      ...(index.mediaType ? { mediaType: index.mediaType } : {}),
      manifests: index.manifests.map(descriptorJson),
      ...(index.annotations ? { annotations: index.annotations } : {}),
    });
    const target = join(this.path, OCI_LAYOUT_INDEX_FILE);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, body);
    await rename(temp, target);
  }

  private withIndexLock<T>(work: () => Promise<T>): Promise<T> {
    const run = this.indexLock.then(work, work);
    this.indexLock = run.catch(() => undefined);
    return run;
  }

  /** Tags listed in index.json (`org.opencontainers.image.ref.name`). */
  async tags(): Promise<string[]> {
    const index = await this.readIndex();
    return index.manifests.map((d) => d.annotations?.[ANNOTATION_REF_NAME]).filter((t): t is string => t !== undefined);
  }

  async resolve(tagOrDigest: string, options?: RequestOptions): Promise<Descriptor> {
    checkAborted(options);
    const index = await this.readIndex();
    if (isDigest(tagOrDigest)) {
      const listed = index.manifests.find((d) => d.digest === tagOrDigest);
      if (listed) return plainDescriptor(listed);
      // Not listed (e.g. a child of an index): the blob itself tells its media type.
      const fetched = await this.fetchManifest(tagOrDigest, options);
      return fetched.descriptor;
    }
    // The last entry wins, as a later tag operation appends.
    const tagged = index.manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === tagOrDigest).at(-1);
    if (!tagged) {
      throw new OciError('MANIFEST_NOT_FOUND', `${this.name} has no manifest tagged ${JSON.stringify(tagOrDigest)}; tags: ${(await this.tags()).join(', ') || '(none)'}`);
    }
    return plainDescriptor(tagged);
  }

  private async readBlobFile(digest: string, limit: number, what: string, notFound: 'MANIFEST_NOT_FOUND' | 'BLOB_NOT_FOUND'): Promise<Uint8Array> {
    return readFileLimited(this.blobPath(digest), limit, (problem) => {
      switch (problem.reason) {
        case 'unreadable':
          return new OciError(notFound, `${what} is not in ${this.name}`, { cause: problem.cause });
        case 'not-a-file':
          return new OciError('INVALID_LAYOUT', `${what} in ${this.name} is not a regular file`);
        case 'too-large':
          return problem.growing
            ? sizeLimitError(what, `at least ${problem.size}`, limit, 'the file grew while reading')
            : sizeLimitError(what, problem.size, limit, 'raise the limit only if you trust the source');
      }
    });
  }

  async fetchManifest(target: Descriptor | string, options?: RequestOptions): Promise<FetchedManifest> {
    checkAborted(options);
    const descriptor = typeof target === 'string' ? (isDigest(target) ? undefined : await this.resolve(target, options)) : target;
    const digest = descriptor?.digest ?? (target as string);
    const what = `manifest ${digest} in ${this.name}`;
    if (descriptor && descriptor.size > this.maxManifestBytes) {
      throw sizeLimitError(what, descriptor.size, this.maxManifestBytes, 'refusing to read an oversized manifest');
    }
    const bytes = await this.readBlobFile(digest, this.maxManifestBytes, what, 'MANIFEST_NOT_FOUND');
    verifyContent(bytes, descriptor ?? digest, what);
    const { mediaType, manifest } = parseManifest(bytes, descriptor?.mediaType, what);
    const out: Descriptor = { mediaType, digest, size: bytes.length };
    const artifactType = manifest.artifactType;
    if (artifactType) out.artifactType = artifactType;
    return { descriptor: out, bytes, manifest };
  }

  async fetchBlob(descriptor: Descriptor, options?: RequestOptions): Promise<Uint8Array> {
    checkAborted(options);
    const what = `blob ${descriptor.digest} in ${this.name}`;
    if (descriptor.size > this.maxBlobBytes) {
      throw sizeLimitError(what, descriptor.size, this.maxBlobBytes, 'raise the blob limit if this is expected');
    }
    const bytes = await this.readBlobFile(descriptor.digest, Math.min(descriptor.size, this.maxBlobBytes), what, 'BLOB_NOT_FOUND').catch((err: unknown) => {
      // A blob larger than its descriptor is altered content, not merely a big one.
      if (err instanceof OciError && err.code === 'SIZE_LIMIT_EXCEEDED' && descriptor.size <= this.maxBlobBytes) {
        throw new OciError('DIGEST_MISMATCH', `${what}: the file is larger than the ${descriptor.size} bytes the descriptor says; the content was altered — do not use it`, { cause: err });
      }
      throw err;
    });
    verifyContent(bytes, descriptor, what);
    return bytes;
  }

  /** Subject digest and referrer descriptor of a listed manifest, or null when it has no subject. */
  private async subjectOf(descriptor: Descriptor, options?: RequestOptions): Promise<{ subject: string; descriptor: Descriptor } | null> {
    const cached = this.subjectCache.get(descriptor.digest);
    if (cached !== undefined) return cached;
    const fetched = await this.fetchManifest(plainDescriptor(descriptor), options);
    const subject = fetched.manifest.subject;
    const entry = subject ? { subject: subject.digest, descriptor: referrerDescriptor(fetched.descriptor, fetched.manifest) } : null;
    this.subjectCache.set(descriptor.digest, entry);
    return entry;
  }

  /**
   * Referrers of `subject`: manifests of the layout whose `subject` names it, plus those listed in a
   * referrers tag-schema index (`sha256-<hex>`), as layouts written by notation keep them.
   */
  async referrers(subject: Descriptor, artifactType?: string, options?: RequestOptions): Promise<Descriptor[]> {
    checkAborted(options);
    const index = await this.readIndex();
    const found: Descriptor[] = [];
    const tag = referrersTag(subject.digest);
    const tagged = index.manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag).at(-1);
    if (tagged) {
      const fetched = await this.fetchManifest(plainDescriptor(tagged), options);
      if (isImageIndex(fetched.manifest)) found.push(...fetched.manifest.manifests);
    }
    for (const entry of index.manifests) {
      checkAborted(options);
      if (entry.mediaType === MEDIA_TYPE_OCI_INDEX && entry.annotations?.[ANNOTATION_REF_NAME] === tag) continue;
      const info = await this.subjectOf(entry, options).catch((err: unknown) => {
        // A listed manifest that is missing or unreadable is not a referrer; digest errors are real.
        if (err instanceof OciError && (err.code === 'MANIFEST_NOT_FOUND' || err.code === 'UNSUPPORTED_MEDIA_TYPE')) return null;
        throw err;
      });
      if (info && info.subject === subject.digest) found.push(info.descriptor);
    }
    const referrers = filterByArtifactType(uniqueByDigest(found), artifactType);
    if (referrers.length > this.maxReferrers) {
      throw sizeLimitError(`referrers list of ${subject.digest} in ${this.name}`, `${referrers.length} entries, not`, this.maxReferrers, 'raise the referrers limit if this is expected');
    }
    return referrers;
  }

  async hasBlob(descriptor: Descriptor, options?: RequestOptions): Promise<boolean> {
    checkAborted(options);
    try {
      return (await stat(this.blobPath(descriptor.digest))).size === descriptor.size;
    } catch {
      return false;
    }
  }

  async pushBlob(bytes: Uint8Array, mediaType: string, options?: RequestOptions): Promise<Descriptor> {
    checkAborted(options);
    const digest = computeDigest(bytes);
    await this.writeBlob(digest, bytes);
    return { mediaType, digest, size: bytes.length };
  }

  private async writeBlob(digest: string, bytes: Uint8Array): Promise<void> {
    const path = this.blobPath(digest);
    try {
      if ((await stat(path)).size === bytes.length) return;
    } catch {
      // absent: write it
    }
    const dir = join(path, '..');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string, options?: RequestOptions): Promise<Descriptor> {
    checkAborted(options);
    const digest = computeDigest(bytes);
    const what = `manifest ${digest}`;
    if (bytes.length > this.maxManifestBytes) throw sizeLimitError(what, bytes.length, this.maxManifestBytes, 'refusing to store an oversized manifest');
    const { manifest } = parseManifest(bytes, mediaType, what);
    await this.writeBlob(digest, bytes);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    if (manifest.artifactType) descriptor.artifactType = manifest.artifactType;
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      index.manifests = tag ? this.placeTag(index.manifests, descriptor, tag) : this.placeUntagged(index.manifests, descriptor);
      await this.writeIndex(index);
    });
    if (manifest.subject && this.referrersTagSchema) {
      await this.updateReferrersTagIndex(manifest.subject, referrerDescriptor(descriptor, manifest), options);
    }
    return descriptor;
  }

  /** Point `tag` at an existing manifest of the layout. */
  async tag(descriptor: Descriptor, tag: string): Promise<void> {
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      index.manifests = this.placeTag(index.manifests, plainDescriptor(descriptor), tag);
      await this.writeIndex(index);
    });
  }

  private placeTag(manifests: Descriptor[], descriptor: Descriptor, tag: string): Descriptor[] {
    const out: Descriptor[] = [];
    for (const entry of manifests) {
      const entryTag = entry.annotations?.[ANNOTATION_REF_NAME];
      if (entryTag === tag) continue;
      // The untagged entry of the same manifest becomes the tagged one.
      if (entryTag === undefined && entry.digest === descriptor.digest) continue;
      out.push(entry);
    }
    // Keep what the previous tag pointed at reachable as an untagged entry, except old referrers indexes.
    const previous = manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag).at(-1);
    if (previous && previous.digest !== descriptor.digest && !isReferrersTag(tag) && !out.some((d) => d.digest === previous.digest)) {
      out.push(plainDescriptor(previous));
    }
    out.push({ ...descriptor, annotations: { ...descriptor.annotations, [ANNOTATION_REF_NAME]: tag } });
    return out;
  }

  private placeUntagged(manifests: Descriptor[], descriptor: Descriptor): Descriptor[] {
    return manifests.some((d) => d.digest === descriptor.digest) ? manifests : [...manifests, descriptor];
  }

  private async updateReferrersTagIndex(subject: Descriptor, referrer: Descriptor, options?: RequestOptions): Promise<void> {
    const tag = referrersTag(subject.digest);
    await this.withIndexLock(async () => {
      const index = await this.readIndex();
      const current = index.manifests.filter((d) => d.annotations?.[ANNOTATION_REF_NAME] === tag).at(-1);
      let existing: Descriptor[] = [];
      if (current) {
        const fetched = await this.fetchManifest(plainDescriptor(current), options);
        if (isImageIndex(fetched.manifest)) existing = fetched.manifest.manifests;
      }
      const { referrers, changed } = addReferrer(existing, referrer);
      if (!changed) return;
      const { bytes } = buildReferrersIndex(referrers);
      const digest = computeDigest(bytes);
      await this.writeBlob(digest, bytes);
      index.manifests = this.placeTag(index.manifests, { mediaType: MEDIA_TYPE_OCI_INDEX, digest, size: bytes.length }, tag);
      await this.writeIndex(index);
    });
  }
}
