// Encode manifests and indexes byte-for-byte as Go's encoding/json does for the image-spec structs,
// so manifests we build (referrers tag indexes especially) match what oras-go/notation produce.
import { goJsonEscape } from '../common/index.js';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from './types.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record) return undefined;
  const keys = Object.keys(record);
  if (keys.length === 0) return undefined; // omitempty
  const out: Record<string, string> = {};
  // Go marshals map keys in byte order; plain sort() compares UTF-16 code units, equal for BMP text.
  for (const key of keys.sort()) out[key] = record[key] as string;
  return out;
}

function compact(entries: Array<[string, Json | undefined]>): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of entries) if (value !== undefined) out[key] = value;
  return out;
}

function platformJson(platform: Platform): Json {
  return compact([
    ['architecture', platform.architecture],
    ['os', platform.os],
    ['os.version', platform['os.version'] || undefined],
    ['os.features', platform['os.features']?.length ? platform['os.features'] : undefined],
    ['variant', platform.variant || undefined],
  ]);
}

/** Descriptor fields in the order of image-spec's Go struct, empty ones omitted. */
export function descriptorJson(descriptor: Descriptor): Json {
  return compact([
    ['mediaType', descriptor.mediaType],
    ['digest', descriptor.digest],
    ['size', descriptor.size],
    ['urls', descriptor.urls?.length ? descriptor.urls : undefined],
    ['annotations', sortedRecord(descriptor.annotations)],
    ['data', descriptor.data || undefined],
    ['platform', descriptor.platform ? platformJson(descriptor.platform) : undefined],
    ['artifactType', descriptor.artifactType || undefined],
  ]);
}

export function encodeGoJson(value: Json): Uint8Array {
  return new TextEncoder().encode(goJsonEscape(JSON.stringify(value)));
}

export function encodeManifest(manifest: ImageManifest): Uint8Array {
  return encodeGoJson(
    compact([
      ['schemaVersion', 2],
      ['mediaType', manifest.mediaType || undefined],
      ['artifactType', manifest.artifactType || undefined],
      ['config', descriptorJson(manifest.config)],
      ['layers', manifest.layers.map(descriptorJson)],
      ['subject', manifest.subject ? descriptorJson(manifest.subject) : undefined],
      ['annotations', sortedRecord(manifest.annotations)],
    ]),
  );
}

export function encodeIndex(index: ImageIndex): Uint8Array {
  return encodeGoJson(
    compact([
      ['schemaVersion', 2],
      ['mediaType', index.mediaType || undefined],
      ['artifactType', index.artifactType || undefined],
      ['manifests', index.manifests.map(descriptorJson)],
      ['subject', index.subject ? descriptorJson(index.subject) : undefined],
      ['annotations', sortedRecord(index.annotations)],
    ]),
  );
}

/** Any JSON document (e.g. an image config) with Go's escaping; key order is the caller's. */
export function encodeJsonDocument(value: unknown): Uint8Array {
  return new TextEncoder().encode(goJsonEscape(JSON.stringify(value)));
}
