// Parse and validate manifests and indexes at the boundary; pure helpers over the OCI data model.
import * as z from 'zod';
import { isDigest } from '../reference/index.js';
import {
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from './constants.js';
import { parseJsonDocument } from './document.js';
import { OciError } from './errors.js';
import { descriptorShape, imageIndexShape, imageManifestShape, UNSURE } from './manifest-shape.js';
import type { Descriptor, ImageIndex, ImageManifest, Manifest } from './types.js';

/** The schemas decide (and word the errors) whenever manifest-shape.ts is unsure; exported for its test. */
const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
});

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string().refine(isDigest, { message: 'not a sha256/sha512 digest' }),
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  artifactType: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: platformSchema.optional(),
  urls: z.array(z.string()).optional(),
  data: z.string().optional(),
});

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).nullable().transform((layers) => layers ?? []),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema).nullable().transform((manifests) => manifests ?? []),
  subject: descriptorSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isManifestMediaType(mediaType: string): boolean {
  return IMAGE_MANIFEST_MEDIA_TYPES.includes(mediaType) || INDEX_MEDIA_TYPES.includes(mediaType);
}

export function isImageIndex(manifest: Manifest): manifest is ImageIndex {
  return 'manifests' in manifest;
}

/** Strip charset and other parameters: `application/json; charset=utf-8` → `application/json`. */
export function baseMediaType(contentType: string | undefined): string | undefined {
  const base = contentType?.split(';')[0]?.trim().toLowerCase();
  return base ? base : undefined;
}

function describe(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Parse manifest bytes (a well-formed one checked by manifest-shape.ts, anything else by the schemas).
 * `mediaTypeHint` is what the transport said (Content-Type or the descriptor): it must agree with the
 * manifest's own `mediaType` field when both are present, since a mismatch lets one document be read as another kind.
 */
export function parseManifest(bytes: Uint8Array, mediaTypeHint: string | undefined, what: string): { mediaType: string; manifest: Manifest } {
  const json = parseJsonDocument(bytes, what, 'INVALID_MANIFEST');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OciError('INVALID_MANIFEST', `${what} is not a JSON object`);
  }
  const record = json as Record<string, unknown>;
  if (record.schemaVersion === 1) {
    throw new OciError('UNSUPPORTED_MEDIA_TYPE', `${what} is a Docker schema 1 manifest, which is not supported; re-push the image with a current client`);
  }
  const declared = typeof record.mediaType === 'string' ? record.mediaType : undefined;
  const hint = mediaTypeHint && isManifestMediaType(mediaTypeHint) ? mediaTypeHint : undefined;
  if (declared && hint && declared !== hint) {
    throw new OciError('INVALID_MANIFEST', `${what} declares media type ${declared} but was served as ${hint}; refusing an ambiguous manifest`);
  }
  const mediaType = declared ?? hint ?? ('manifests' in record ? MEDIA_TYPE_OCI_INDEX : 'config' in record ? MEDIA_TYPE_OCI_MANIFEST : undefined);
  if (!mediaType) throw new OciError('INVALID_MANIFEST', `${what} is neither an image manifest nor an index (no config, no manifests)`);
  if (isIndexMediaType(mediaType)) {
    const shaped = imageIndexShape(json);
    if (shaped !== UNSURE) return { mediaType, manifest: shaped };
    const parsed = imageIndexSchema.safeParse(json);
    if (!parsed.success) throw new OciError('INVALID_MANIFEST', `${what} is not a valid image index: ${describe(parsed.error.issues)}`);
    return { mediaType, manifest: parsed.data as ImageIndex };
  }
  if (IMAGE_MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    const shaped = imageManifestShape(json);
    if (shaped !== UNSURE) return { mediaType, manifest: shaped };
    const parsed = imageManifestSchema.safeParse(json);
    if (!parsed.success) throw new OciError('INVALID_MANIFEST', `${what} is not a valid image manifest: ${describe(parsed.error.issues)}`);
    return { mediaType, manifest: parsed.data as ImageManifest };
  }
  throw new OciError('UNSUPPORTED_MEDIA_TYPE', `${what} has media type ${mediaType}, which is not an OCI or Docker v2 manifest`);
}

/** Validate a descriptor given by a caller or read from a document. */
export function parseDescriptor(value: unknown, what: string): Descriptor {
  const shaped = descriptorShape(value);
  if (shaped !== UNSURE) return shaped;
  const parsed = descriptorSchema.safeParse(value);
  if (!parsed.success) throw new OciError('INVALID_MANIFEST', `${what} is not a valid descriptor: ${describe(parsed.error.issues)}`);
  return parsed.data as Descriptor;
}

/** The blobs and manifests a manifest points at (not its subject). */
export function successors(manifest: Manifest): Descriptor[] {
  return isImageIndex(manifest) ? [...manifest.manifests] : [manifest.config, ...manifest.layers];
}

/** artifactType as the Referrers API reports it: the field, else the config media type of an image manifest. */
export function artifactTypeOf(manifest: Manifest): string | undefined {
  if (manifest.artifactType) return manifest.artifactType;
  return isImageIndex(manifest) ? undefined : manifest.config.mediaType;
}

/** The descriptor a Referrers API response (or referrers tag index) lists for a referrer. */
export function referrerDescriptor(descriptor: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>, manifest: Manifest): Descriptor {
  const out: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (manifest.annotations && Object.keys(manifest.annotations).length > 0) out.annotations = { ...manifest.annotations };
  const artifactType = artifactTypeOf(manifest);
  if (artifactType) out.artifactType = artifactType;
  return out;
}

/** Keep only the descriptor's identity fields (drop layout annotations such as ref.name). */
export function plainDescriptor(descriptor: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
  if (descriptor.artifactType) out.artifactType = descriptor.artifactType;
  if (descriptor.platform) out.platform = descriptor.platform;
  return out;
}
