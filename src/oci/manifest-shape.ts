// The shapes of manifest.ts's zod schemas checked by hand, for the documents that have them: a well-formed
// manifest, index or descriptor costs a fraction of a schema parse (measured: see the commit that added this).
//
// Each check returns exactly what its schema returns for a value it accepts (same members, same order, fresh
// objects) and UNSURE for anything else, for which the schema decides and words the error. So a check may
// refuse more than its schema, never less: test/oci/manifest-shape.test.ts holds it to the schema's answers.
import { isDigest } from '../reference/index.js';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from './types.js';

/** Not shown to be well formed: ask the schema. */
export const UNSURE = Symbol('unsure');
type Checked<T> = T | typeof UNSURE;

type Members = Record<string, unknown>;

function isMembers(value: unknown): value is Members {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Copy the optional string member `key` when present (as zod does, even when it holds undefined);
 * false when it holds anything else.
 */
function optionalString(from: Members, to: Record<string, unknown>, key: string): boolean {
  if (!(key in from)) return true;
  const value = from[key];
  if (value !== undefined && typeof value !== 'string') return false;
  to[key] = value;
  return true;
}

function stringArray(value: unknown): Checked<string[]> {
  if (!Array.isArray(value)) return UNSURE;
  for (const item of value) if (typeof item !== 'string') return UNSURE;
  return value.slice() as string[];
}

function stringMap(value: unknown): Checked<Record<string, string>> {
  if (!isMembers(value)) return UNSURE;
  const out: Record<string, string> = {};
  for (const key of Object.keys(value)) {
    const entry = value[key];
    // `__proto__` as an own member (JSON.parse makes one) is the schema's to handle.
    if (typeof entry !== 'string' || key === '__proto__') return UNSURE;
    out[key] = entry;
  }
  return out;
}

/** An optional member checked by `check`, copied when present (undefined included, as zod does). */
function optional<T>(from: Members, to: Record<string, unknown>, key: string, check: (value: unknown) => Checked<T>): boolean {
  if (!(key in from)) return true;
  const value = from[key];
  if (value === undefined) {
    to[key] = undefined;
    return true;
  }
  const checked = check(value);
  if (checked === UNSURE) return false;
  to[key] = checked;
  return true;
}

function platform(value: unknown): Checked<Platform> {
  if (!isMembers(value)) return UNSURE;
  const { architecture, os } = value;
  if (typeof architecture !== 'string' || typeof os !== 'string') return UNSURE;
  const out: Record<string, unknown> = { architecture, os };
  const ok = optionalString(value, out, 'variant') && optionalString(value, out, 'os.version') && optional(value, out, 'os.features', stringArray);
  return ok ? (out as unknown as Platform) : UNSURE;
}

/** descriptorSchema's shape. */
export function descriptorShape(value: unknown): Checked<Descriptor> {
  if (!isMembers(value)) return UNSURE;
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== 'string' || mediaType === '' || typeof digest !== 'string' || !isDigest(digest)) return UNSURE;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return UNSURE;
  const out: Record<string, unknown> = { mediaType, digest, size };
  const ok =
    optionalString(value, out, 'artifactType') &&
    optional(value, out, 'annotations', stringMap) &&
    optional(value, out, 'platform', platform) &&
    optional(value, out, 'urls', stringArray) &&
    optionalString(value, out, 'data');
  return ok ? (out as unknown as Descriptor) : UNSURE;
}

function descriptors(value: unknown): Checked<Descriptor[]> {
  // nullable().transform(): null lists nothing; absent is the schema's error.
  if (value === null) return [];
  if (!Array.isArray(value)) return UNSURE;
  const out: Descriptor[] = [];
  for (const item of value) {
    const descriptor = descriptorShape(item);
    if (descriptor === UNSURE) return UNSURE;
    out.push(descriptor);
  }
  return out;
}

/** The members before and after the list both kinds share: schemaVersion, mediaType, artifactType, then subject, annotations. */
function document(value: unknown, list: 'config' | 'manifests'): Checked<Record<string, unknown>> {
  if (!isMembers(value) || value.schemaVersion !== 2) return UNSURE;
  const out: Record<string, unknown> = { schemaVersion: 2 };
  if (!optionalString(value, out, 'mediaType') || !optionalString(value, out, 'artifactType')) return UNSURE;
  if (list === 'config') {
    const config = descriptorShape(value.config);
    const layers = 'layers' in value ? descriptors(value.layers) : UNSURE;
    if (config === UNSURE || layers === UNSURE) return UNSURE;
    out.config = config;
    out.layers = layers;
  } else {
    const manifests = 'manifests' in value ? descriptors(value.manifests) : UNSURE;
    if (manifests === UNSURE) return UNSURE;
    out.manifests = manifests;
  }
  return optional(value, out, 'subject', descriptorShape) && optional(value, out, 'annotations', stringMap) ? out : UNSURE;
}

/** imageManifestSchema's shape. */
export function imageManifestShape(value: unknown): Checked<ImageManifest> {
  return document(value, 'config') as Checked<ImageManifest>;
}

/** imageIndexSchema's shape. */
export function imageIndexShape(value: unknown): Checked<ImageIndex> {
  return document(value, 'manifests') as Checked<ImageIndex>;
}
