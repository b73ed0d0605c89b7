// Reads an attestation artifact's content: one layer, bounded, digest-checked, parsed as JSON or YAML.
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { checkJsonDepth, isImageIndex, type ArtifactStore, type Descriptor } from '../oci/index.js';
import { GZIP_MAGIC, GZIP_MEDIA_TYPE, MAX_ATTESTATION_BYTES, MAX_ATTESTATION_JSON_DEPTH, MAX_YAML_ALIASES, YAML_MEDIA_TYPE } from './constants.js';
import { AttestError } from './errors.js';

export interface AttestationContent {
  /** The layer that was read. */
  layer: Descriptor;
  /** The parsed document. */
  document: unknown;
}

function isGzip(bytes: Uint8Array, mediaType: string): boolean {
  return GZIP_MEDIA_TYPE.test(mediaType) || (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]);
}

function decompress(bytes: Uint8Array, what: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_ATTESTATION_BYTES });
  } catch (err) {
    const tooLarge = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new AttestError(
      'INVALID_ATTESTATION',
      tooLarge ? `${what} decompresses to more than ${MAX_ATTESTATION_BYTES} bytes` : `${what} is not a valid gzip stream: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Parse the bytes as the media type says: YAML for `*yaml` types, JSON otherwise (strict UTF-8, bounded nesting). */
export function parseAttestationDocument(bytes: Uint8Array, mediaType: string, what: string): unknown {
  const plain = isGzip(bytes, mediaType) ? decompress(bytes, what) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch (err) {
    throw new AttestError('INVALID_ATTESTATION', `${what} is not UTF-8 text`, { cause: err });
  }
  if (YAML_MEDIA_TYPE.test(mediaType)) {
    try {
      return parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES }) as unknown;
    } catch (err) {
      throw new AttestError('INVALID_ATTESTATION', `${what} (${mediaType}) is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    checkJsonDepth(plain, what, MAX_ATTESTATION_JSON_DEPTH);
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AttestError('INVALID_ATTESTATION', `${what} (${mediaType}) is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The content of the attestation `artifact` in `store`: its manifest must hold exactly one layer
 * (as kyverno-notation-aws reads it: none is "no predicate found", several are not supported),
 * no larger than MAX_ATTESTATION_BYTES; the store checks the layer's size and digest.
 */
export async function readAttestation(store: ArtifactStore, artifact: Descriptor, signal?: AbortSignal): Promise<AttestationContent> {
  const what = `attestation ${store.name}@${artifact.digest}`;
  const { manifest } = await store.fetchManifest(artifact, { signal });
  if (isImageIndex(manifest)) throw new AttestError('INVALID_ATTESTATION', `${what} is an image index; an attestation is a manifest with one layer`);
  const [layer, ...more] = manifest.layers;
  if (!layer) throw new AttestError('INVALID_ATTESTATION', `${what}: no predicate found: the manifest has no layer`);
  if (more.length > 0) throw new AttestError('INVALID_ATTESTATION', `${what}: multiple layers in predicate not supported (${manifest.layers.length} layers)`);
  if (!Number.isSafeInteger(layer.size) || layer.size < 0 || layer.size > MAX_ATTESTATION_BYTES) {
    throw new AttestError('INVALID_ATTESTATION', `${what}: its layer of ${layer.size} bytes is larger than the limit of ${MAX_ATTESTATION_BYTES} bytes`);
  }
  const bytes = await store.fetchBlob(layer, { signal });
  return { layer, document: parseAttestationDocument(bytes, layer.mediaType, what) };
}
