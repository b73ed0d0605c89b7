// Where cosign keeps signatures of an image and how they are read: the `sha256-<hex>.sig`/`.att` tag, one layer per signature.
import { isImageIndex, OciError, RegistryClient, type ArtifactStore, type Descriptor } from '../oci/index.js';
import { parseReference } from '../reference/index.js';
import type { PinnedImage } from '../verification/index.js';
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_PREDICATE_TYPE,
  ANNOTATION_RFC3161_TIMESTAMP,
  ANNOTATION_SIGNATURE,
  ATTESTATION_TAG_SUFFIX,
  DEFAULT_MAX_SIGNATURES,
  MAX_ANNOTATION_BYTES,
  MAX_ATTESTATION_LAYER_BYTES,
  MAX_SIGNATURE_LAYER_BYTES,
  MEDIA_TYPE_DSSE_ENVELOPE,
  MEDIA_TYPE_SIMPLE_SIGNING,
  SIGNATURE_TAG_SUFFIX,
} from './constants.js';
import { CosignError } from './errors.js';

export type SignatureKind = 'signatures' | 'attestations';

/** The layer media type and tag suffix of each kind. */
export const KIND_FORMAT: Record<SignatureKind, { suffix: string; mediaType: string; maxLayerBytes: number }> = {
  signatures: { suffix: SIGNATURE_TAG_SUFFIX, mediaType: MEDIA_TYPE_SIMPLE_SIGNING, maxLayerBytes: MAX_SIGNATURE_LAYER_BYTES },
  attestations: { suffix: ATTESTATION_TAG_SUFFIX, mediaType: MEDIA_TYPE_DSSE_ENVELOPE, maxLayerBytes: MAX_ATTESTATION_LAYER_BYTES },
};

/** cosign's tag for the signatures of `digest`: `sha256-<hex>.sig` (or `.att`). */
export function signatureTag(digest: string, kind: SignatureKind): string {
  return `${digest.replace(':', '-')}.${KIND_FORMAT[kind].suffix}`;
}

/** One signature layer of the tag's manifest, as cosign's annotations describe it. */
export interface SignatureLayer {
  descriptor: Descriptor;
  /** `dev.cosignproject.cosign/signature` (base64); empty on attestations. */
  signature: string;
  certificate?: string;
  chain?: string;
  bundle?: string;
  rfc3161Timestamp?: string;
  predicateType?: string;
}

/** A store and the name of the repository holding an image's signatures. */
export interface SignatureLocation {
  store: ArtifactStore;
  /** `registry/repository` (or the layout's name). */
  name: string;
}

/**
 * The image's repository, or `repository` (COSIGN_REPOSITORY, Kyverno `repository`) of the same client.
 * A single store (an OCI layout) holds the signatures itself: a repository override makes no sense there.
 */
export function signatureLocation(source: RegistryClient | ArtifactStore, image: PinnedImage, repository: string | undefined): SignatureLocation {
  if (source instanceof RegistryClient) {
    if (repository === undefined) return { store: source.repository(image.registry, image.repository), name: `${image.registry}/${image.repository}` };
    let parsed;
    try {
      parsed = parseReference(repository);
    } catch (err) {
      throw new CosignError('INVALID_INPUT', `the signature repository ${JSON.stringify(repository)} is not a repository: ${(err as Error).message}`, { cause: err });
    }
    if (parsed.tag !== undefined || parsed.digest !== undefined) throw new CosignError('INVALID_INPUT', `the signature repository ${JSON.stringify(repository)} names a tag or digest; give registry/repository`);
    return { store: source.repository(parsed.registry, parsed.repository), name: `${parsed.registry}/${parsed.repository}` };
  }
  if (repository !== undefined) throw new CosignError('INVALID_INPUT', 'a signature repository override needs a registry, not an OCI layout');
  return { store: source, name: source.name };
}

function annotation(descriptor: Descriptor, key: string): string | undefined {
  const value = descriptor.annotations?.[key];
  if (value !== undefined && value.length > MAX_ANNOTATION_BYTES) {
    throw new CosignError('MALFORMED_SIGNATURE', `annotation ${key} of layer ${descriptor.digest} is larger than ${MAX_ANNOTATION_BYTES} bytes`);
  }
  return value;
}

/** The layer's annotations, read into a SignatureLayer; a layer of another media type is not cosign's. */
export function signatureLayer(descriptor: Descriptor, kind: SignatureKind): SignatureLayer {
  const expected = KIND_FORMAT[kind].mediaType;
  if (descriptor.mediaType !== expected) {
    throw new CosignError('MALFORMED_SIGNATURE', `layer ${descriptor.digest} has media type ${descriptor.mediaType}, not ${expected}`);
  }
  const layer: SignatureLayer = { descriptor, signature: annotation(descriptor, ANNOTATION_SIGNATURE) ?? '' };
  const fields: Array<[Exclude<keyof SignatureLayer, 'descriptor' | 'signature'>, string]> = [
    ['certificate', ANNOTATION_CERTIFICATE],
    ['chain', ANNOTATION_CHAIN],
    ['bundle', ANNOTATION_BUNDLE],
    ['rfc3161Timestamp', ANNOTATION_RFC3161_TIMESTAMP],
    ['predicateType', ANNOTATION_PREDICATE_TYPE],
  ];
  for (const [field, key] of fields) {
    const value = annotation(descriptor, key);
    if (value !== undefined && value !== '') layer[field] = value;
  }
  return layer;
}

/**
 * The layers of the image's `.sig` (or `.att`) manifest. No tag: SIGNATURE_NOT_FOUND ("no signatures
 * found"); more layers than `maxSignatures`: SIGNATURE_LIMIT_EXCEEDED (cosign, too, refuses a manifest
 * past its layer bound rather than trying a part of it).
 */
export async function listSignatureLayers(
  location: SignatureLocation,
  digest: string,
  kind: SignatureKind,
  maxSignatures: number = DEFAULT_MAX_SIGNATURES,
  signal?: AbortSignal,
): Promise<{ tag: string; layers: Descriptor[] }> {
  const tag = signatureTag(digest, kind);
  const request = signal ? { signal } : {};
  let fetched;
  try {
    fetched = await location.store.fetchManifest(tag, request);
  } catch (err) {
    if (err instanceof OciError && err.code === 'MANIFEST_NOT_FOUND') return { tag, layers: [] };
    throw err;
  }
  if (isImageIndex(fetched.manifest)) throw new CosignError('MALFORMED_SIGNATURE', `${location.name}:${tag} is an index, not cosign's signature manifest`);
  const { layers } = fetched.manifest;
  if (layers.length > maxSignatures) {
    throw new CosignError('SIGNATURE_LIMIT_EXCEEDED', `${location.name}:${tag} has ${layers.length} ${kind}, more than the ${maxSignatures} tried at most`);
  }
  return { tag, layers };
}

/** The layer's bytes (payload or envelope), bounded before the download and digest-checked by the store. */
export async function fetchLayer(location: SignatureLocation, descriptor: Descriptor, kind: SignatureKind, signal?: AbortSignal): Promise<Uint8Array> {
  const limit = KIND_FORMAT[kind].maxLayerBytes;
  if (descriptor.size > limit) throw new CosignError('MALFORMED_SIGNATURE', `layer ${descriptor.digest} is ${descriptor.size} bytes, more than the ${limit} read at most`);
  return location.store.fetchBlob(descriptor, signal ? { signal } : {});
}
