// The Notary payload `{"targetArtifact": <descriptor>}` (signature-specification.md "Payload"): build it, read it back.
import { goJsonMap, goJsonStruct } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import type { Descriptor } from '../../oci/index.js';
import { MEDIA_TYPE_NOTARY_PAYLOAD, type NotaryPayload, type Payload } from '../types.js';

/** Annotation keys with this prefix are reserved for the Notary Project; user metadata may not use them. */
export const RESERVED_ANNOTATION_PREFIX = 'io.cncf.notary';
export const MAX_USER_METADATA_ENTRIES = 128;

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The payload notation signs: the target descriptor reduced to mediaType, digest and size
 * (notation-go's SanitizeTargetArtifact), with the user metadata as its annotations. Annotations
 * the store attached to the descriptor (e.g. an OCI layout's ref name) are not signed.
 */
export function createNotaryPayload(target: Descriptor, userMetadata: Record<string, string> = {}): Uint8Array {
  const entries = Object.entries(userMetadata);
  if (entries.length > MAX_USER_METADATA_ENTRIES) {
    throw new NotaryError('INVALID_INPUT', `at most ${MAX_USER_METADATA_ENTRIES} user metadata entries can be signed`);
  }
  for (const [key] of entries) {
    if (key === '') throw new NotaryError('INVALID_INPUT', 'user metadata keys must not be empty');
    if (key.startsWith(RESERVED_ANNOTATION_PREFIX)) {
      throw new NotaryError('INVALID_INPUT', `user metadata key "${key}" is reserved: keys starting with "${RESERVED_ANNOTATION_PREFIX}" belong to the Notary Project`);
    }
  }
  const annotations = userMetadata;
  const descriptor: Record<string, unknown> = { mediaType: target.mediaType, digest: target.digest, size: target.size };
  let json = goJsonStruct({ targetArtifact: descriptor });
  if (Object.keys(annotations).length > 0) {
    // Go marshals the struct's fields in order and the annotations map with sorted keys.
    json = `${json.slice(0, -2)},"annotations":${goJsonMap(annotations)}}}`;
  }
  return new Uint8Array(Buffer.from(json, 'utf8'));
}

function invalid(message: string): NotaryError {
  return new NotaryError('MALFORMED_SIGNATURE', `invalid Notary payload: ${message}`);
}

/** Read and check the payload of a verified envelope: a targetArtifact descriptor with mediaType, digest and size. */
export function parseNotaryPayload(payload: Payload): NotaryPayload {
  if (payload.contentType !== MEDIA_TYPE_NOTARY_PAYLOAD) throw invalid(`content type "${payload.contentType}" is not ${MEDIA_TYPE_NOTARY_PAYLOAD}`);
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(payload.content));
  } catch (err) {
    throw new NotaryError('MALFORMED_SIGNATURE', 'invalid Notary payload: not UTF-8 JSON', { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('not a JSON object');
  const target = (value as { targetArtifact?: unknown }).targetArtifact;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) throw invalid('"targetArtifact" is missing');
  const { mediaType, digest, size, annotations, artifactType } = target as Record<string, unknown>;
  if (typeof mediaType !== 'string' || mediaType === '') throw invalid('targetArtifact.mediaType is missing');
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw invalid('targetArtifact.digest is missing or not a digest');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw invalid('targetArtifact.size is missing or not a size');
  const descriptor: Descriptor = { mediaType, digest, size };
  if (annotations !== undefined && annotations !== null) {
    if (typeof annotations !== 'object' || Array.isArray(annotations) || !Object.values(annotations).every((v) => typeof v === 'string')) {
      throw invalid('targetArtifact.annotations must map strings to strings');
    }
    descriptor.annotations = { ...(annotations as Record<string, string>) };
  }
  if (typeof artifactType === 'string') descriptor.artifactType = artifactType;
  return { targetArtifact: descriptor };
}

/** The user metadata a signer added: the payload descriptor's annotations. */
export function userMetadataOf(payload: NotaryPayload): Record<string, string> {
  return { ...(payload.targetArtifact.annotations ?? {}) };
}
