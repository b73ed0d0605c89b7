// Build and push small valid OCI images, indexes and artifacts: used by the demo, benchmarks and tests.
import {
  EMPTY_JSON_BYTES,
  MEDIA_TYPE_OCI_CONFIG,
  MEDIA_TYPE_OCI_EMPTY,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_LAYER,
  MEDIA_TYPE_OCI_MANIFEST,
} from './constants.js';
import { computeDigest } from './digest.js';
import { encodeIndex, encodeJsonDocument, encodeManifest } from './json.js';
import type { ArtifactStore, Descriptor, ImageIndex, ImageManifest, Platform, RequestOptions } from './types.js';

export const DEFAULT_PLATFORM: Platform = { architecture: 'amd64', os: 'linux' };

export interface PushImageOptions extends RequestOptions {
  tag?: string;
  /** Layer contents (any bytes; registries do not look inside). */
  layers: Uint8Array[];
  layerMediaType?: string;
  /** Image config document; default: a minimal OCI config for `platform` whose diff_ids are the layer digests. */
  config?: object;
  configMediaType?: string;
  platform?: Platform;
  annotations?: Record<string, string>;
  artifactType?: string;
  subject?: Descriptor;
}

export interface PushedManifest<M> {
  descriptor: Descriptor;
  bytes: Uint8Array;
  manifest: M;
}

export interface PushedImage extends PushedManifest<ImageManifest> {
  config: Descriptor;
  layers: Descriptor[];
}

/** Push config, layers and an OCI image manifest; returns the manifest's descriptor (with platform). */
export async function pushImage(store: ArtifactStore, options: PushImageOptions): Promise<PushedImage> {
  const request: RequestOptions = options.signal ? { signal: options.signal } : {};
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const layerMediaType = options.layerMediaType ?? MEDIA_TYPE_OCI_LAYER;
  const layers: Descriptor[] = [];
  for (const layer of options.layers) layers.push(await store.pushBlob(layer, layerMediaType, request));
  const configDocument = options.config ?? {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  };
  const config = await store.pushBlob(encodeJsonDocument(configDocument), options.configMediaType ?? MEDIA_TYPE_OCI_CONFIG, request);
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers };
  if (options.artifactType) manifest.artifactType = options.artifactType;
  if (options.subject) manifest.subject = options.subject;
  if (options.annotations) manifest.annotations = options.annotations;
  const bytes = encodeManifest(manifest);
  const pushed = await store.pushManifest(bytes, MEDIA_TYPE_OCI_MANIFEST, options.tag, request);
  const descriptor: Descriptor = { ...pushed, platform };
  return { descriptor, bytes, manifest, config, layers };
}

export interface PushIndexOptions extends RequestOptions {
  tag?: string;
  /** Manifest descriptors, usually with `platform` (as returned by pushImage). */
  manifests: Descriptor[];
  annotations?: Record<string, string>;
  artifactType?: string;
  subject?: Descriptor;
}

/** Push an OCI image index over manifests already in the store (a multi-arch image). */
export async function pushIndex(store: ArtifactStore, options: PushIndexOptions): Promise<PushedManifest<ImageIndex>> {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: options.manifests };
  if (options.artifactType) index.artifactType = options.artifactType;
  if (options.subject) index.subject = options.subject;
  if (options.annotations) index.annotations = options.annotations;
  const bytes = encodeIndex(index);
  const descriptor = await store.pushManifest(bytes, MEDIA_TYPE_OCI_INDEX, options.tag, options.signal ? { signal: options.signal } : {});
  return { descriptor, bytes, manifest: index };
}

export interface PushArtifactOptions extends RequestOptions {
  artifactType: string;
  /** The manifest this artifact refers to (makes it a referrer). */
  subject?: Descriptor;
  blobs: Array<{ mediaType: string; bytes: Uint8Array; annotations?: Record<string, string> }>;
  annotations?: Record<string, string>;
  tag?: string;
}

/** Push an OCI 1.1 artifact: image manifest with `artifactType`, the empty config and the given blobs. */
export async function pushArtifact(store: ArtifactStore, options: PushArtifactOptions): Promise<PushedManifest<ImageManifest>> {
  const request: RequestOptions = options.signal ? { signal: options.signal } : {};
  const config = await store.pushBlob(EMPTY_JSON_BYTES, MEDIA_TYPE_OCI_EMPTY, request);
  const layers: Descriptor[] = [];
  for (const blob of options.blobs) {
    const descriptor = await store.pushBlob(blob.bytes, blob.mediaType, request);
    layers.push(blob.annotations ? { ...descriptor, annotations: blob.annotations } : descriptor);
  }
  // The empty descriptor carries its data inline, as image-spec recommends.
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    artifactType: options.artifactType,
    config: { ...config, data: Buffer.from(EMPTY_JSON_BYTES).toString('base64') },
    layers: layers.length > 0 ? layers : [{ mediaType: MEDIA_TYPE_OCI_EMPTY, digest: computeDigest(EMPTY_JSON_BYTES), size: EMPTY_JSON_BYTES.length, data: 'e30=' }],
  };
  if (options.subject) manifest.subject = { mediaType: options.subject.mediaType, digest: options.subject.digest, size: options.subject.size };
  if (options.annotations) manifest.annotations = options.annotations;
  const bytes = encodeManifest(manifest);
  const descriptor = await store.pushManifest(bytes, MEDIA_TYPE_OCI_MANIFEST, options.tag, request);
  return { descriptor, bytes, manifest };
}
