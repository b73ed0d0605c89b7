// The referrers tag schema and referrers lists: pure functions shared by registries and layouts.
import { ANNOTATION_CREATED, MEDIA_TYPE_OCI_INDEX } from './constants.js';
import { parseDigest } from './digest.js';
import { encodeIndex } from './json.js';
import type { Descriptor, ImageIndex } from './types.js';

/** Most characters of the algorithm and of the hex kept in a referrers tag (distribution spec). */
const TAG_ALGORITHM_MAX = 32;
const TAG_HEX_MAX = 64;

/** `sha256:abc…` → `sha256-abc…`: the tag under which registries without the API keep referrers. */
export function referrersTag(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm.slice(0, TAG_ALGORITHM_MAX)}-${hex.slice(0, TAG_HEX_MAX)}`;
}

/** True for tags of the referrers tag schema (`sha256-<64 hex>`, `sha512-<first 64 hex>`). */
export function isReferrersTag(tag: string): boolean {
  return /^(?:sha256|sha512)-[a-f0-9]{64}$/.test(tag);
}

export function filterByArtifactType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  return artifactType ? descriptors.filter((d) => d.artifactType === artifactType) : descriptors;
}

/**
 * Referrers newest first by their `org.opencontainers.image.created` annotation (undated last),
 * then by digest: deterministic whatever order the registry lists them in.
 */
export function newestFirst(descriptors: readonly Descriptor[]): Descriptor[] {
  const created = (d: Descriptor): number => {
    const value = d.annotations?.[ANNOTATION_CREATED];
    const time = value ? Date.parse(value) : NaN;
    return Number.isNaN(time) ? -Infinity : time;
  };
  return [...descriptors].sort((a, b) => created(b) - created(a) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

/** Descriptors deduplicated by digest, first occurrence kept. */
export function uniqueByDigest(descriptors: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descriptors.filter((d) => (seen.has(d.digest) ? false : (seen.add(d.digest), true)));
}

/** An image index listing `referrers`, encoded as oras-go/notation encode it. */
export function buildReferrersIndex(referrers: Descriptor[]): { index: ImageIndex; bytes: Uint8Array } {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests: referrers };
  return { index, bytes: encodeIndex(index) };
}

/**
 * The referrers list after adding `referrer`: unchanged (and `changed` false) when a descriptor
 * with its digest is already listed, so concurrent writers converge.
 */
export function addReferrer(existing: Descriptor[], referrer: Descriptor): { referrers: Descriptor[]; changed: boolean } {
  const unique = uniqueByDigest(existing);
  if (unique.some((d) => d.digest === referrer.digest)) return { referrers: unique, changed: unique.length !== existing.length };
  return { referrers: [...unique, referrer], changed: true };
}
