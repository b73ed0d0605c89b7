// The /checkimages request: Kyverno's `images` variable plus options, parsed and validated at the boundary.
import * as z from 'zod';
import type { AttestationRequirement } from '../attest/index.js';
import { DEFAULT_TAG, parseReference, type Reference } from '../reference/index.js';
import {
  MAX_ATTESTATION_TYPES,
  MAX_ATTESTATIONS,
  MAX_IMAGE_FIELD_CHARS,
  MAX_IMAGE_REFERENCE_PATTERNS,
  MAX_NAME_CHARS,
  MAX_PATTERN_CHARS,
} from './constants.js';
import { selectImages, type AttestationRequest } from './selection.js';

const optionalString = z.string().max(MAX_IMAGE_FIELD_CHARS).nullish();
const pattern = z.string().max(MAX_PATTERN_CHARS);

/** One entry of Kyverno's images variable (kyverno pkg/utils/image ImageInfo + jsonPointer). Unknown fields are ignored. */
const imageInfoSchema = z.looseObject({
  registry: optionalString,
  name: optionalString,
  path: optionalString,
  tag: optionalString,
  digest: optionalString,
  reference: optionalString,
  referenceWithTag: optionalString,
  jsonPointer: optionalString,
});

const containerMapSchema = z.record(z.string().max(MAX_NAME_CHARS), imageInfoSchema).nullish();

const attestationSchema = z.looseObject({
  imageReference: pattern.nullish(),
  type: z
    .array(z.looseObject({ name: z.string().max(MAX_PATTERN_CHARS).nullish(), conditions: z.unknown().optional() }))
    .max(MAX_ATTESTATION_TYPES)
    .nullish(),
});

/** The request body. Go's decoder ignores unknown fields and so do we; none of them can change a verdict. */
export const checkImagesRequestSchema = z.looseObject({
  images: z
    .looseObject({
      containers: containerMapSchema,
      initContainers: containerMapSchema,
      ephemeralContainers: containerMapSchema,
    })
    .nullish(),
  imageReferences: z.array(pattern).max(MAX_IMAGE_REFERENCE_PATTERNS).nullish(),
  trustPolicy: z.string().max(MAX_NAME_CHARS).nullish(),
  attestations: z.array(attestationSchema).max(MAX_ATTESTATIONS).nullish(),
  /** The pod's `kyverno-notation-aws.io/verify-images` annotation: a JSON string (or object) image → true. */
  metadata: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  insecure: z.union([z.boolean(), z.enum(['true', 'false'])]).nullish(),
});

export type CheckImagesRequestBody = z.infer<typeof checkImagesRequestSchema>;

export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';
const CONTAINER_KINDS: readonly ContainerKind[] = ['containers', 'initContainers', 'ephemeralContainers'];

/** The fields of one image as the request gave them ('' when absent), for patches and Go-style messages. */
export interface ImageInfo {
  registry: string;
  name: string;
  path: string;
  tag: string;
  digest: string;
  reference: string;
  referenceWithTag: string;
  jsonPointer: string;
}

export interface RequestedImage {
  kind: ContainerKind;
  /** Key of the container in its map (the container name). */
  containerName: string;
  info: ImageInfo;
  /** The image as the peer prints it: `registry/path@digest`, else `registry/path:tag` (the `digests` key). */
  imageString: string;
  /** `registry/path` the patch value starts with. */
  repositoryString: string;
  /** Parsed and normalised reference, or why it could not be parsed. */
  reference?: Reference;
  referenceError?: string;
  /** Attestation types the request's `attestations` ask of this image (filled for selected images). */
  attestationTypes: string[];
  /** The same types with their condition blocks, every matching entry's blocks of a type together (as the peer). */
  attestations: AttestationRequirement[];
}

/** How an attestation type entry without a name is shown. */
const UNNAMED_ATTESTATION_TYPE = '(unnamed)';

export interface CheckImagesRequest {
  /** Images selected by imageReferences, in request order (containers, initContainers, ephemeralContainers). */
  images: RequestedImage[];
  /** Images the imageReferences filter left out (not verified, not patched). */
  skipped: RequestedImage[];
  /** Total images in the request, before filtering. */
  total: number;
  trustPolicy?: string;
  attestations: AttestationRequest[];
  /** Parsed metadata annotation: logged, never used to skip a verification. */
  metadata: Record<string, boolean>;
  metadataError?: string;
  insecure: boolean;
}

export type ParseResult = { ok: true; request: CheckImagesRequest } | { ok: false; message: string };

function str(value: string | null | undefined): string {
  return value ?? '';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
  return `${path || 'body'}: ${issue.message}`;
}

/** Build one image's reference the way the peer does (registry/path + @digest or :tag), then parse it. */
function describeImage(kind: ContainerKind, containerName: string, raw: ImageInfoFields): RequestedImage {
  const info: ImageInfo = {
    registry: str(raw.registry),
    name: str(raw.name),
    path: str(raw.path),
    tag: str(raw.tag),
    digest: str(raw.digest),
    reference: str(raw.reference),
    referenceWithTag: str(raw.referenceWithTag),
    jsonPointer: str(raw.jsonPointer),
  };
  const image: RequestedImage = { kind, containerName, info, imageString: '', repositoryString: '', attestationTypes: [], attestations: [] };
  if (info.path !== '') {
    image.repositoryString = info.registry !== '' ? `${info.registry}/${info.path}` : info.path;
    image.imageString = info.digest !== '' ? `${image.repositoryString}@${info.digest}` : `${image.repositoryString}:${info.tag}`;
    // An older caller may leave the tag out: resolve `latest`, as docker would.
    const toParse = info.digest !== '' || info.tag !== '' ? image.imageString : `${image.repositoryString}:${DEFAULT_TAG}`;
    try {
      image.reference = parseReference(toParse);
    } catch (err) {
      image.referenceError = `failed to parse reference ${toParse}: ${err instanceof Error ? err.message : String(err)}`;
    }
    return image;
  }
  const given = info.reference || info.referenceWithTag;
  if (given === '') {
    image.imageString = '';
    image.referenceError = 'the image has neither path nor reference; send Kyverno\'s images variable ({"registry","path","tag"} per container)';
    return image;
  }
  image.imageString = given;
  try {
    const reference = parseReference(given);
    image.reference = reference.digest || reference.tag ? reference : { ...reference, tag: DEFAULT_TAG };
    image.repositoryString = `${reference.registry}/${reference.repository}`;
  } catch (err) {
    image.referenceError = `failed to parse reference ${given}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return image;
}

/**
 * The condition blocks of one attestation type entry: none when `conditions` is absent or has no
 * `all` and no `any` entries (the peer drops such a block); anything else is kept for the
 * conditions parser to accept or refuse, never dropped.
 */
function conditionBlocks(conditions: unknown): unknown[] {
  if (conditions === undefined || conditions === null) return [];
  if (isObject(conditions) && Object.keys(conditions).every((key) => key === 'all' || key === 'any')) {
    const empty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && value.length === 0);
    if (empty(conditions.all) && empty(conditions.any)) return [];
  }
  return [conditions];
}

function parseMetadata(value: CheckImagesRequestBody['metadata']): { metadata: Record<string, boolean>; error?: string } {
  if (value === null || value === undefined || value === '') return { metadata: {} };
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (err) {
      return { metadata: {}, error: `metadata is not JSON: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { metadata: {}, error: 'metadata is not a JSON object of image → true' };
  }
  const metadata: Record<string, boolean> = {};
  for (const [key, flag] of Object.entries(parsed)) if (flag === true) metadata[key] = true;
  return { metadata };
}

export interface ParseOptions {
  /** Most images (all container kinds) a request may hold: checked before any matching work. */
  maxImages?: number;
}

/** Names JavaScript gives meaning to on every object: as keys they are lost (`__proto__`, dropped by z.record) or shadow a member. */
const PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function prototypeKey(path: string): { ok: false; message: string } {
  return {
    ok: false,
    message: `invalid request: ${path}: a key named after a JavaScript prototype member is not accepted; Kyverno's images variable holds containers, initContainers and ephemeralContainers`,
  };
}

type ImageInfoFields = z.infer<typeof imageInfoSchema>;
type ContainerEntry = [kind: ContainerKind, containerName: string, info: ImageInfoFields];

const IMAGE_INFO_FIELDS = ['registry', 'name', 'path', 'tag', 'digest', 'reference', 'referenceWithTag', 'jsonPointer'] as const;

function nullishString(value: unknown, maxChars: number): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.length <= maxChars);
}

function isImageInfo(value: unknown): value is ImageInfoFields {
  if (!isObject(value)) return false;
  for (const field of IMAGE_INFO_FIELDS) if (!nullishString(value[field], MAX_IMAGE_FIELD_CHARS)) return false;
  return true;
}

/**
 * Whether the schema would accept `body` as it is, checked by hand for the common request:
 * container maps, imageReferences, trustPolicy, metadata, insecure, and no attestations. Hand
 * checks cost a fraction of the schema's parse on the warm path; anything else (every body the
 * schema refuses, attestations, a container named after a prototype member) goes through the
 * schema, whose messages are the API. Exported for the test that holds it to the schema.
 */
export function isPlainRequest(body: unknown): body is CheckImagesRequestBody {
  if (!isObject(body)) return false;
  const { images, imageReferences, trustPolicy, attestations, metadata, insecure } = body;
  if (attestations !== undefined && attestations !== null) return false;
  if (!nullishString(trustPolicy, MAX_NAME_CHARS)) return false;
  if (!(metadata === undefined || metadata === null || typeof metadata === 'string' || isObject(metadata))) return false;
  if (!(insecure === undefined || insecure === null || typeof insecure === 'boolean' || insecure === 'true' || insecure === 'false')) return false;
  if (imageReferences !== undefined && imageReferences !== null) {
    if (!Array.isArray(imageReferences) || imageReferences.length > MAX_IMAGE_REFERENCE_PATTERNS) return false;
    for (const reference of imageReferences) if (typeof reference !== 'string' || reference.length > MAX_PATTERN_CHARS) return false;
  }
  if (images === undefined || images === null) return true;
  if (!isObject(images)) return false;
  for (const kind of CONTAINER_KINDS) {
    const map = images[kind];
    if (map === undefined || map === null) continue;
    if (!isObject(map)) return false;
    for (const [containerName, info] of Object.entries(map)) {
      if (containerName.length > MAX_NAME_CHARS || PROTOTYPE_NAMES.has(containerName) || !isImageInfo(info)) return false;
    }
  }
  return true;
}

/**
 * Every entry of the request's container maps, read from the decoded body's own keys (after the
 * schema accepted the body): z.record drops an own `__proto__` key, so its output cannot be the
 * list of what to verify. Entries the schema never saw are validated here (a `plain` body's were,
 * by isPlainRequest); prototype-named keys of the body and of `images` (no container kind) are refused.
 */
function containerMaps(body: unknown, plain: boolean): { ok: true; entries: ContainerEntry[] } | { ok: false; message: string } {
  if (!isObject(body)) return { ok: true, entries: [] };
  for (const key of Object.keys(body)) if (PROTOTYPE_NAMES.has(key)) return prototypeKey(key);
  const images = Object.hasOwn(body, 'images') ? body.images : undefined;
  if (!isObject(images)) return { ok: true, entries: [] };
  for (const key of Object.keys(images)) if (PROTOTYPE_NAMES.has(key)) return prototypeKey(`images.${key}`);
  const entries: ContainerEntry[] = [];
  for (const kind of CONTAINER_KINDS) {
    const map = Object.hasOwn(images, kind) ? images[kind] : undefined;
    if (!isObject(map)) continue;
    for (const [containerName, value] of Object.entries(map)) {
      const path = `images.${kind}.${containerName}`;
      if (plain) {
        entries.push([kind, containerName, value as ImageInfoFields]);
        continue;
      }
      if (containerName.length > MAX_NAME_CHARS) return { ok: false, message: `invalid request: ${path}: Invalid key in record` };
      const info = imageInfoSchema.safeParse(value);
      if (!info.success) {
        const issue = info.error.issues[0];
        const field = issue ? issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('') : '';
        return { ok: false, message: `invalid request: ${path}${field}: ${issue?.message ?? 'invalid image'}` };
      }
      entries.push([kind, containerName, info.data]);
    }
  }
  return { ok: true, entries };
}

/**
 * Validate a decoded JSON body into a request. Failure messages become 406 bodies; they say
 * which field is wrong.
 */
export function parseCheckImagesRequest(body: unknown, options: ParseOptions = {}): ParseResult {
  const plain = isPlainRequest(body);
  let data: CheckImagesRequestBody;
  if (plain) {
    data = body;
  } else {
    const parsed = checkImagesRequestSchema.safeParse(body);
    if (!parsed.success) {
      return { ok: false, message: `invalid request: ${parsed.error.issues.slice(0, 5).map(describeIssue).join('; ')}` };
    }
    data = parsed.data;
  }
  const maps = containerMaps(body, plain);
  if (!maps.ok) return maps;
  const total = maps.entries.length;
  if (options.maxImages !== undefined && total > options.maxImages) {
    return { ok: false, message: `too many images: the request holds ${total}, the limit is ${options.maxImages} (--maxImagesPerRequest)` };
  }
  const all: RequestedImage[] = maps.entries.map(([kind, containerName, raw]) => describeImage(kind, containerName, raw));
  const patterns = data.imageReferences ?? [];
  const attestations: AttestationRequest[] = [];
  for (const entry of data.attestations ?? []) {
    // A type without a name still asks for an attestation: it must not vanish and leave a signature-only pass.
    const requirements = (entry.type ?? []).map((t) => ({ type: str(t.name) || UNNAMED_ATTESTATION_TYPE, conditions: conditionBlocks(t.conditions) }));
    attestations.push({ imageReference: str(entry.imageReference), types: requirements.map((r) => r.type), requirements });
  }
  const selection = selectImages(all, patterns, attestations);
  if (!selection.ok) return selection;
  const { images, skipped } = selection;
  const { metadata, error } = parseMetadata(data.metadata);
  const request: CheckImagesRequest = {
    images,
    skipped,
    total: all.length,
    attestations,
    metadata,
    insecure: data.insecure === true || data.insecure === 'true',
  };
  if (data.trustPolicy) request.trustPolicy = data.trustPolicy;
  if (error) request.metadataError = error;
  return { ok: true, request };
}
