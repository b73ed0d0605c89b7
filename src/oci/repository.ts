// One repository of a remote registry as an ArtifactStore: manifests, blobs, referrers and pushes
// following the OCI distribution spec (Referrers API with the referrers tag schema as fallback).
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { isDigest } from '../reference/index.js';
import { repositoryScope } from './auth/scope.js';
import { readLimited, sizeLimitError } from './body.js';
import {
  MANIFEST_BLOB_UNKNOWN_DELAY_MS,
  MANIFEST_BLOB_UNKNOWN_RETRIES,
  MANIFEST_MEDIA_TYPES,
  MAX_AUXILIARY_RESPONSE_BYTES,
  MEDIA_TYPE_OCI_INDEX,
  SIGNATURE_ENVELOPE_MEDIA_TYPES,
} from './constants.js';
import { computeDigest, parseDigest, verifyContent } from './digest.js';
import { checkJsonDepth } from './document.js';
import { OciError } from './errors.js';
import { baseMediaType, isImageIndex, parseManifest, referrerDescriptor } from './manifest.js';
import { addReferrer, buildReferrersIndex, filterByArtifactType, referrersTag, uniqueByDigest } from './referrers.js';
import { registryErrors, unexpectedAnswer, type RegistryErrorEntry } from './registry-errors.js';
import { ReferrersApiKnowledge, type ReferrersApiSupport } from './referrers-api.js';
import type { RegistryRequest, RegistryTransport, RepositoryOptions } from './registry-transport.js';
import { nextLink } from './registry-url.js';
import { abandon, header, networkError, type HttpResponse } from './transport.js';
import type { ArtifactStore, Descriptor, FetchedManifest, RequestOptions } from './types.js';

const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Listings started ahead (prefetchReferrers) kept for at most this long, and at most this many. */
const PREFETCH_TTL_MS = 10_000;
const MAX_PREFETCHED = 1000;

export interface PushBlobOptions extends RequestOptions {
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
}


/** The registry and repository of a store that is a remote repository (read structurally: wrappers that forward them count). */
function remoteLocation(store: ArtifactStore): { registry: string; repository: string } | undefined {
  const candidate = store as Partial<Record<'registry' | 'repository', unknown>>;
  return typeof candidate.registry === 'string' && typeof candidate.repository === 'string'
    ? { registry: candidate.registry, repository: candidate.repository }
    : undefined;
}

export class Repository implements ArtifactStore {
  readonly name: string;
  readonly registry: string;
  readonly repository: string;
  private readonly transport: RegistryTransport;
  private readonly options: RepositoryOptions;
  /** Shared with the registry's other repositories when the client passes it (see referrers-api.ts). */
  private readonly referrersApi: ReferrersApiKnowledge;
  /** Listings started ahead by prefetchReferrers, each taken by the first referrers() call that asks for it. */
  private readonly prefetched = new LRUCache<string, Promise<Descriptor[]>>({ max: MAX_PREFETCHED, ttl: PREFETCH_TTL_MS });
  /** Serialises referrers tag index read-modify-write cycles per subject within this process. */
  private readonly tagIndexLocks = new Map<string, Promise<unknown>>();
  /** The token scope of every read, made once (each request names it). */
  private readonly pullScope: string[];

  constructor(transport: RegistryTransport, registry: string, repository: string, options: RepositoryOptions, referrersApi = new ReferrersApiKnowledge()) {
    this.transport = transport;
    this.referrersApi = referrersApi;
    this.options = options;
    this.registry = registry;
    this.repository = repository;
    this.name = `${registry}/${repository}`;
    this.pullScope = [repositoryScope(repository, ['pull'])];
  }

  /** What this repository has shown about the Referrers API so far. */
  get referrersApiSupport(): ReferrersApiSupport {
    return this.referrersApi.state;
  }

  private get pushScope(): string[] {
    return [repositoryScope(this.repository, ['pull', 'push'])];
  }

  private send(req: Omit<RegistryRequest, 'signal'>, options?: RequestOptions): Promise<HttpResponse> {
    return this.transport.send(this.registry, options?.signal ? { ...req, signal: options.signal } : req);
  }

  /** Map an unexpected status to an error; consumes the body. */
  private unexpected(res: HttpResponse, what: string, notFound?: 'MANIFEST_NOT_FOUND' | 'BLOB_NOT_FOUND', errors?: RegistryErrorEntry[]): Promise<OciError> {
    return unexpectedAnswer(res, { what, name: this.name, registry: this.registry, ...(notFound ? { notFound } : {}) }, errors);
  }

  /** Read a body with a limit; network failures while reading become OciErrors. */
  private async readBody(res: HttpResponse, limit: number, tooLarge: (received: number) => OciError, what: string, options?: RequestOptions): Promise<Uint8Array> {
    try {
      const { bytes } = await readLimited(res.body, limit, tooLarge, { stop: () => abandon(res.body) });
      return bytes;
    } catch (err) {
      throw networkError(err, what, options?.signal);
    }
  }

  async resolve(tagOrDigest: string, options?: RequestOptions): Promise<Descriptor> {
    const byDigest = isDigest(tagOrDigest);
    const what = `resolve ${this.name}${byDigest ? '@' : ':'}${tagOrDigest}`;
    const res = await this.send(
      { method: 'HEAD', url: `/v2/${this.repository}/manifests/${tagOrDigest}`, headers: { accept: MANIFEST_ACCEPT }, scopes: this.pullScope, idempotent: true, what },
      options,
    );
    if (res.status !== 200) throw await this.unexpected(res, what, 'MANIFEST_NOT_FOUND');
    await res.body.dump();
    const digest = header(res.headers, 'docker-content-digest');
    const mediaType = baseMediaType(header(res.headers, 'content-type'));
    const length = Number(header(res.headers, 'content-length'));
    if (!digest || !isDigest(digest) || !mediaType || !MANIFEST_MEDIA_TYPES.includes(mediaType) || !Number.isSafeInteger(length) || length <= 0) {
      // HEAD gave too little to go on: fetch the manifest and describe it ourselves.
      return (await this.fetchManifest(tagOrDigest, options)).descriptor;
    }
    if (byDigest && digest !== tagOrDigest) {
      throw new OciError('DIGEST_MISMATCH', `${what}: the registry says the manifest is ${digest}, not the digest asked for; do not use it`);
    }
    if (length > this.options.limits.maxManifestBytes) {
      throw sizeLimitError(`manifest ${this.name}@${digest}`, length, this.options.limits.maxManifestBytes, 'refusing to read an oversized manifest');
    }
    return { mediaType, digest, size: length };
  }

  /**
   * A manifest by tag or digest, bounded by maxManifestBytes; through a descriptor that names an
   * artifactType (a referrer: signature, SBOM, attestation) by the far lower maxArtifactManifestBytes.
   */
  fetchManifest(target: Descriptor | string, options?: RequestOptions): Promise<FetchedManifest> {
    const { maxManifestBytes, maxArtifactManifestBytes } = this.options.limits;
    return typeof target !== 'string' && target.artifactType
      ? this.fetchManifestWithin(target, maxArtifactManifestBytes, 'limits.maxArtifactManifestBytes', options)
      : this.fetchManifestWithin(target, maxManifestBytes, 'limits.maxManifestBytes', options);
  }

  private async fetchManifestWithin(target: Descriptor | string, limit: number, option: string, options?: RequestOptions): Promise<FetchedManifest> {
    const descriptor = typeof target === 'string' ? undefined : target;
    const reference = descriptor?.digest ?? (target as string);
    const byDigest = isDigest(reference);
    const what = `manifest ${this.name}${byDigest ? '@' : ':'}${reference}`;
    const hint = `refusing to read an oversized manifest (raise ${option} if this is expected)`;
    if (descriptor && descriptor.size > limit) throw sizeLimitError(what, descriptor.size, limit, hint);
    const res = await this.send(
      { method: 'GET', url: `/v2/${this.repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, scopes: this.pullScope, idempotent: true, what },
      options,
    );
    if (res.status !== 200) throw await this.unexpected(res, what, 'MANIFEST_NOT_FOUND');
    const length = Number(header(res.headers, 'content-length'));
    if (Number.isSafeInteger(length) && length > limit) {
      abandon(res.body);
      throw sizeLimitError(what, length, limit, hint);
    }
    const bytes = await this.readBody(res, limit, (n) => sizeLimitError(what, `at least ${n}`, limit, hint), what, options);
    const served = header(res.headers, 'docker-content-digest');
    let digest: string;
    if (byDigest) {
      verifyContent(bytes, descriptor ?? reference, what);
      digest = reference;
    } else {
      // A tag names no digest to check against; when the registry states one, it must match.
      const algorithm = served && isDigest(served) ? parseDigest(served).algorithm : 'sha256';
      digest = computeDigest(bytes, algorithm);
      if (served && isDigest(served) && served !== digest) {
        throw new OciError('DIGEST_MISMATCH', `${what}: content hashes to ${digest} but the registry says ${served}; do not use it`);
      }
    }
    const { mediaType, manifest } = parseManifest(bytes, baseMediaType(header(res.headers, 'content-type')) ?? descriptor?.mediaType, what);
    const out: Descriptor = { mediaType, digest, size: bytes.length };
    if (manifest.artifactType) out.artifactType = manifest.artifactType;
    return { descriptor: out, bytes, manifest };
  }

  async fetchBlob(descriptor: Descriptor, options?: RequestOptions): Promise<Uint8Array> {
    const what = `blob ${this.name}@${descriptor.digest}`;
    parseDigest(descriptor.digest);
    const envelope = SIGNATURE_ENVELOPE_MEDIA_TYPES.includes(descriptor.mediaType);
    const limit = envelope ? this.options.limits.maxSignatureEnvelopeBytes : this.options.limits.maxBlobBytes;
    if (descriptor.size > limit) {
      throw sizeLimitError(what, descriptor.size, limit, `raise ${envelope ? 'limits.maxSignatureEnvelopeBytes' : 'the blob limit'} if this is expected`);
    }
    const res = await this.send({ method: 'GET', url: `/v2/${this.repository}/blobs/${descriptor.digest}`, scopes: this.pullScope, idempotent: true, what }, options);
    if (res.status !== 200) throw await this.unexpected(res, what, 'BLOB_NOT_FOUND');
    const tooLong = (n: number): OciError =>
      new OciError('DIGEST_MISMATCH', `${what}: the registry sent ${n === Infinity ? 'more' : `at least ${n}`} bytes, more than the ${descriptor.size} the descriptor says; the content was altered — do not use it`);
    const length = Number(header(res.headers, 'content-length'));
    if (Number.isSafeInteger(length) && length > descriptor.size) {
      abandon(res.body);
      throw tooLong(length);
    }
    const bytes = await this.readBody(res, descriptor.size, tooLong, what, options);
    verifyContent(bytes, descriptor, what);
    return bytes;
  }

  async hasBlob(descriptor: Descriptor, options?: RequestOptions): Promise<boolean> {
    const what = `check blob ${this.name}@${descriptor.digest}`;
    const res = await this.send({ method: 'HEAD', url: `/v2/${this.repository}/blobs/${descriptor.digest}`, scopes: this.pullScope, idempotent: true, what }, options);
    await res.body.dump();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.unexpected(res, what);
  }

  /**
   * Referrers of `subject` through the Referrers API (all pages, filtered by `artifactType`), or,
   * when the registry does not serve the API (404), from the referrers tag schema index.
   */
  async referrers(subject: Descriptor, artifactType?: string, options?: RequestOptions): Promise<Descriptor[]> {
    parseDigest(subject.digest);
    const key = `${subject.digest} ${artifactType ?? ''}`;
    const ahead = this.prefetched.get(key);
    if (ahead) {
      this.prefetched.delete(key);
      try {
        return await ahead;
      } catch {
        // Failed under its starter's signal or by chance: listed again below, under this caller's.
      }
    }
    return this.listReferrers(subject, artifactType, options);
  }

  /**
   * Start listing the referrers of `digest` now, for the next referrers() call that asks for them (within
   * 10 s): by digest, the listing needs nothing the manifest HEAD answers, so both go out together. The
   * listing names the digest, not a tag: whatever verifies it still checks each signature's subject.
   */
  prefetchReferrers(digest: string, artifactType?: string, options?: RequestOptions): void {
    const listing = this.listReferrers({ mediaType: MEDIA_TYPE_OCI_INDEX, digest, size: 0 }, artifactType, options);
    // Taken by a later referrers() call, or expires unread: never unhandled.
    listing.catch(() => undefined);
    this.prefetched.set(`${digest} ${artifactType ?? ''}`, listing);
  }

  private async listReferrers(subject: Descriptor, artifactType: string | undefined, options?: RequestOptions): Promise<Descriptor[]> {
    parseDigest(subject.digest);
    let probed;
    try {
      probed = await this.referrersApi.claim(options?.signal);
    } catch (err) {
      throw networkError(err, `referrers of ${this.name}@${subject.digest}`, options?.signal);
    }
    if (this.referrersApi.state !== 'unsupported') {
      let viaApi;
      try {
        viaApi = await this.referrersFromApi(subject, artifactType, options);
      } finally {
        probed?.();
      }
      if (viaApi) return viaApi;
    }
    return this.referrersFromTagSchema(subject, artifactType, options);
  }

  /** The API's answer, or undefined when the API is not served (404). */
  private async referrersFromApi(subject: Descriptor, artifactType: string | undefined, options?: RequestOptions): Promise<Descriptor[] | undefined> {
    const { maxReferrers, maxReferrersPages, maxReferrersPageBytes } = this.options.limits;
    const what = `referrers of ${this.name}@${subject.digest}`;
    let url: string | undefined = `/v2/${this.repository}/referrers/${subject.digest}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`;
    const found: Descriptor[] = [];
    for (let page = 0; url; page++) {
      if (page >= maxReferrersPages) {
        throw new OciError('SIZE_LIMIT_EXCEEDED', `${what}: more than ${maxReferrersPages} pages of referrers; raise the page limit if this is expected`);
      }
      const res = await this.send({ method: 'GET', url, headers: { accept: MEDIA_TYPE_OCI_INDEX }, scopes: this.pullScope, idempotent: true, what }, options);
      if (res.status === 404 && page === 0) {
        await res.body.dump();
        if (this.referrersApi.state === 'unknown') this.referrersApi.state = 'unsupported';
        return undefined;
      }
      if (res.status !== 200) throw await this.unexpected(res, what);
      this.referrersApi.state = 'supported';
      const tooLarge = (n: number | string): OciError =>
        sizeLimitError(`${what} (page ${page + 1})`, n, maxReferrersPageBytes, 'the page is too large (raise limits.maxReferrersPageBytes if this is expected)');
      const length = Number(header(res.headers, 'content-length'));
      if (Number.isSafeInteger(length) && length > maxReferrersPageBytes) {
        abandon(res.body);
        throw tooLarge(length);
      }
      const bytes = await this.readBody(res, maxReferrersPageBytes, (n) => tooLarge(`at least ${n}`), what, options);
      const { manifest } = parseManifest(bytes, baseMediaType(header(res.headers, 'content-type')), what);
      if (!isImageIndex(manifest)) throw new OciError('REGISTRY_ERROR', `${what}: the Referrers API answered with something other than an image index`);
      found.push(...manifest.manifests);
      if (found.length > maxReferrers) {
        throw new OciError('SIZE_LIMIT_EXCEEDED', `${what}: more than ${maxReferrers} referrers; raise the referrers limit if this is expected`);
      }
      url = nextLink(header(res.headers, 'link'), res.url)?.toString();
    }
    // Filtered here too: a registry may ignore the filter (it then omits OCI-Filters-Applied).
    return filterByArtifactType(uniqueByDigest(found), artifactType);
  }

  private async referrersFromTagSchema(subject: Descriptor, artifactType: string | undefined, options?: RequestOptions): Promise<Descriptor[]> {
    const index = await this.readReferrersTagIndex(subject, options);
    if (index.length > this.options.limits.maxReferrers) {
      throw new OciError('SIZE_LIMIT_EXCEEDED', `referrers of ${this.name}@${subject.digest}: the tag index lists more than ${this.options.limits.maxReferrers}`);
    }
    return filterByArtifactType(uniqueByDigest(index), artifactType);
  }

  private async readReferrersTagIndex(subject: Descriptor, options?: RequestOptions): Promise<Descriptor[]> {
    try {
      const fetched = await this.fetchManifestWithin(referrersTag(subject.digest), this.options.limits.maxReferrersIndexBytes, 'limits.maxReferrersIndexBytes', options);
      if (!isImageIndex(fetched.manifest)) {
        throw new OciError('INVALID_MANIFEST', `${this.name}:${referrersTag(subject.digest)} should be a referrers image index but is an image manifest`);
      }
      return fetched.manifest.manifests;
    } catch (err) {
      if (err instanceof OciError && err.code === 'MANIFEST_NOT_FOUND') return [];
      throw err;
    }
  }

  async pushBlob(bytes: Uint8Array, mediaType: string, options?: PushBlobOptions): Promise<Descriptor> {
    const digest = computeDigest(bytes);
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    const what = `upload blob ${this.name}@${digest}`;
    if (await this.hasBlob(descriptor, options)) return descriptor;
    const scopes = options?.mountFrom
      ? [...this.pushScope, repositoryScope(options.mountFrom, ['pull'])]
      : this.pushScope;
    const start = options?.mountFrom
      ? `/v2/${this.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(options.mountFrom)}`
      : `/v2/${this.repository}/blobs/uploads/`;
    const started = await this.send({ method: 'POST', url: start, headers: { 'content-length': '0' }, scopes, idempotent: false, what }, options);
    if (started.status === 201) {
      await started.body.dump();
      return descriptor; // mounted
    }
    if (started.status !== 202) throw await this.unexpected(started, what);
    await started.body.dump();
    let location = this.uploadLocation(started, what);
    if (bytes.length <= this.options.monolithicUploadMaxBytes) {
      location.searchParams.set('digest', digest);
      const put = await this.send(
        { method: 'PUT', url: location.toString(), headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) }, body: bytes, scopes, idempotent: false, what },
        options,
      );
      if (put.status !== 201) throw await this.unexpected(put, what);
      await put.body.dump();
      return descriptor;
    }
    const chunk = this.options.uploadChunkBytes;
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const part = bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
      const patch = await this.send(
        {
          method: 'PATCH',
          url: location.toString(),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(part.length), 'content-range': `${offset}-${offset + part.length - 1}` },
          body: part,
          scopes,
          idempotent: false,
          what: `${what} (chunk at ${offset})`,
        },
        options,
      );
      if (patch.status !== 202) throw await this.unexpected(patch, what);
      await patch.body.dump();
      location = this.uploadLocation(patch, what);
    }
    location.searchParams.set('digest', digest);
    const close = await this.send({ method: 'PUT', url: location.toString(), headers: { 'content-length': '0' }, scopes, idempotent: false, what }, options);
    if (close.status !== 201) throw await this.unexpected(close, what);
    await close.body.dump();
    return descriptor;
  }

  /** Mount `descriptor` from another repository of the same registry; false when the registry declined. */
  async mountBlob(descriptor: Descriptor, from: ArtifactStore, options?: RequestOptions): Promise<boolean> {
    const source = remoteLocation(from);
    if (!source || source.registry !== this.registry || source.repository === this.repository) return false;
    const what = `mount blob ${descriptor.digest} from ${from.name} into ${this.name}`;
    const res = await this.send(
      {
        method: 'POST',
        url: `/v2/${this.repository}/blobs/uploads/?mount=${encodeURIComponent(descriptor.digest)}&from=${encodeURIComponent(source.repository)}`,
        headers: { 'content-length': '0' },
        scopes: [...this.pushScope, repositoryScope(source.repository, ['pull'])],
        idempotent: false,
        what,
      },
      options,
    );
    await res.body.dump();
    if (res.status === 201) return true;
    if (res.status === 202) {
      // The registry opened an upload session instead; close it, the caller uploads normally.
      const location = this.uploadLocation(res, what);
      const cancel = await this.send({ method: 'DELETE', url: location.toString(), scopes: this.pushScope, idempotent: true, what }, options);
      await cancel.body.dump();
      return false;
    }
    throw await this.unexpected(res, what);
  }

  private uploadLocation(res: HttpResponse, what: string): URL {
    const location = header(res.headers, 'location');
    if (!location) throw new OciError('REGISTRY_ERROR', `${what}: the registry did not say where to upload (no Location header)`);
    return new URL(location, res.url);
  }

  async pushManifest(bytes: Uint8Array, mediaType: string, tag?: string, options?: RequestOptions): Promise<Descriptor> {
    const digest = computeDigest(bytes);
    const what = `push manifest ${this.name}${tag ? `:${tag}` : `@${digest}`}`;
    const limit = this.options.limits.maxManifestBytes;
    if (bytes.length > limit) throw sizeLimitError(what, bytes.length, limit, 'registries refuse manifests this large');
    const { manifest } = parseManifest(bytes, mediaType, what);
    const put = () =>
      this.send(
        {
          method: 'PUT',
          url: `/v2/${this.repository}/manifests/${tag ?? digest}`,
          headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
          body: bytes,
          scopes: this.pushScope,
          idempotent: true,
          what,
        },
        options,
      );
    let res = await put();
    // docker-registry rewrites a blob's repository link in place when the same blob is uploaded twice at
    // once, so a manifest pushed meanwhile can briefly see it missing: ask again, a bounded number of times.
    for (let attempt = 1; res.status === 400 && attempt <= MANIFEST_BLOB_UNKNOWN_RETRIES; attempt++) {
      const errors = await registryErrors(res);
      if (!errors.some((entry) => entry.code === 'MANIFEST_BLOB_UNKNOWN')) throw await this.unexpected(res, what, undefined, errors);
      await sleep(MANIFEST_BLOB_UNKNOWN_DELAY_MS * attempt, undefined, options?.signal ? { signal: options.signal } : undefined);
      res = await put();
    }
    if (res.status !== 201 && res.status !== 200) throw await this.unexpected(res, what);
    await res.body.dump();
    const stored = header(res.headers, 'docker-content-digest');
    if (stored && isDigest(stored) && parseDigest(stored).algorithm === 'sha256' && stored !== digest) {
      throw new OciError('DIGEST_MISMATCH', `${what}: the registry stored it as ${stored}, not ${digest}`);
    }
    const descriptor: Descriptor = { mediaType, digest, size: bytes.length };
    if (manifest.artifactType) descriptor.artifactType = manifest.artifactType;
    if (manifest.subject) {
      // A registry that processed the subject says so with OCI-Subject. Without the header, ask the Referrers
      // API (once per registry): only a registry that does not serve it needs the client to keep the tag index.
      if (this.options.forceReferrersTag) await this.addToReferrersTagIndex(manifest.subject, referrerDescriptor(descriptor, manifest), options);
      else if (header(res.headers, 'oci-subject')) this.referrersApi.state = 'supported';
      else if (!(await this.servesReferrersApi(manifest.subject, options))) {
        await this.addToReferrersTagIndex(manifest.subject, referrerDescriptor(descriptor, manifest), options);
      }
    }
    return descriptor;
  }

  /** Whether the Referrers API is served; probed only while that is unknown (a failed probe leaves it unknown). */
  private async servesReferrersApi(subject: Descriptor, options?: RequestOptions): Promise<boolean> {
    if (this.referrersApi.state === 'unknown') await this.referrersFromApi(subject, undefined, options);
    return this.referrersApi.state === 'supported';
  }

  /** Read-modify-write of the `<alg>-<hex>` index, deduplicated by digest (distribution spec, pushing manifests with subject). */
  private async addToReferrersTagIndex(subject: Descriptor, referrer: Descriptor, options?: RequestOptions): Promise<void> {
    const tag = referrersTag(subject.digest);
    const previous = this.tagIndexLocks.get(tag) ?? Promise.resolve();
    const work = previous.then(async () => {
      const existing = await this.readReferrersTagIndex(subject, options);
      const { referrers, changed } = addReferrer(existing, referrer);
      if (!changed) return;
      const { bytes } = buildReferrersIndex(referrers);
      const what = `update referrers index ${this.name}:${tag}`;
      const limit = this.options.limits.maxReferrersIndexBytes;
      // An index we could not read back would hide every referrer it lists.
      if (bytes.length > limit) throw sizeLimitError(what, bytes.length, limit, 'raise limits.maxReferrersIndexBytes to list more referrers');
      const res = await this.send(
        { method: 'PUT', url: `/v2/${this.repository}/manifests/${tag}`, headers: { 'content-type': MEDIA_TYPE_OCI_INDEX, 'content-length': String(bytes.length) }, body: bytes, scopes: this.pushScope, idempotent: true, what },
        options,
      );
      if (res.status !== 201 && res.status !== 200) throw await this.unexpected(res, what);
      await res.body.dump();
    });
    const settled = work.catch(() => undefined);
    this.tagIndexLocks.set(tag, settled);
    try {
      await work;
    } finally {
      if (this.tagIndexLocks.get(tag) === settled) this.tagIndexLocks.delete(tag);
    }
  }

  /** Tags of the repository (one page of up to `n`, after `last`). */
  async tags(options: RequestOptions & { n?: number; last?: string } = {}): Promise<string[]> {
    const what = `list tags of ${this.name}`;
    const query = new URLSearchParams();
    if (options.n) query.set('n', String(options.n));
    if (options.last) query.set('last', options.last);
    const res = await this.send({ method: 'GET', url: `/v2/${this.repository}/tags/list${query.size ? `?${query}` : ''}`, scopes: this.pullScope, idempotent: true, what }, options);
    if (res.status !== 200) throw await this.unexpected(res, what, 'MANIFEST_NOT_FOUND');
    const bytes = await this.readBody(res, MAX_AUXILIARY_RESPONSE_BYTES * 16, (n) => sizeLimitError(what, `at least ${n}`, MAX_AUXILIARY_RESPONSE_BYTES * 16, 'page with ?n='), what, options);
    checkJsonDepth(bytes, `${what}: the tag list`);
    let parsed: { tags?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes)) as { tags?: unknown };
    } catch (err) {
      throw new OciError('REGISTRY_ERROR', `${what}: the tag list is not JSON`, { cause: err });
    }
    return Array.isArray(parsed.tags) ? parsed.tags.filter((t): t is string => typeof t === 'string') : [];
  }
}
