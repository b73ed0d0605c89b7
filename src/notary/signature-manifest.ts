// Notary signature manifests (signature-specification.md "OCI Signatures"): build both forms notation writes, read the envelope back.
import {
  ANNOTATION_CREATED,
  EMPTY_JSON_BYTES,
  EMPTY_JSON_DIGEST,
  MEDIA_TYPE_OCI_EMPTY,
  MEDIA_TYPE_OCI_MANIFEST,
  computeDigest,
  encodeManifest,
  type Descriptor,
  type ImageManifest,
  type Manifest,
} from '../oci/index.js';
import { MAX_ENVELOPE_BYTES, isSignatureMediaType } from './envelope/index.js';
import { NotaryError } from './errors.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE, SIGNATURE_MANIFEST_FORMS, type SignatureManifestForm, type SignatureMediaType } from './types.js';
import { hexDigest } from '../common/hash.js';

/** Annotation holding the JSON list of SHA-256 thumbprints of the signing chain, leaf first. */
export const ANNOTATION_X509_CHAIN_THUMBPRINT = 'io.cncf.notary.x509chain.thumbprint#S256';
/** Most thumbprints read back from the annotation (a chain longer than this is not a Notary chain). */
const MAX_THUMBPRINTS = 16;
/** Most annotations a signature manifest may carry before we stop reading it. */
const MAX_SIGNATURE_MANIFEST_ANNOTATIONS = 256;

/**
 * `artifact`: OCI 1.1, `artifactType` = the Notary signature type and the empty config (notation's
 * default). `image`: no artifactType, `config.mediaType` = the Notary signature type (OCI 1.0
 * registries, notation 1.0's default).
 */
export { SIGNATURE_MANIFEST_FORMS, type SignatureManifestForm };

export interface BuildSignatureManifestOptions {
  form: SignatureManifestForm;
  /** The signed artifact's manifest. */
  subject: Descriptor;
  /** The envelope blob: media type application/jose+json or application/cose, digest and size. */
  envelope: Descriptor;
  /** DER certificates of the envelope, leaf first (for the thumbprint annotation). */
  certificateChain: Uint8Array[];
  /** `org.opencontainers.image.created` (oras-go adds it when packing); default now, `null` omits it. */
  created?: Date | null;
  /** Extra manifest annotations. */
  annotations?: Record<string, string>;
}

export interface BuiltSignatureManifest {
  manifest: ImageManifest;
  /** The exact manifest bytes to push. */
  bytes: Uint8Array;
  mediaType: typeof MEDIA_TYPE_OCI_MANIFEST;
  digest: string;
  /** The config blob (`{}`), which must exist in the repository before the manifest is pushed. */
  config: { descriptor: Descriptor; bytes: Uint8Array };
}

/** Lower-case hex SHA-256 of each DER certificate, as notation-go writes the thumbprint annotation. */
export function certificateThumbprints(certificateChain: Uint8Array[]): string[] {
  return certificateChain.map((der) => hexDigest('sha256', der));
}

/** RFC 3339 in UTC without fractions, as Go's time.RFC3339 formats `time.Now().UTC()`. */
function rfc3339(date: Date): string {
  return new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Build the signature manifest notation-go pushes (via oras-go PackManifest), byte for byte in Go's field order. */
export function buildSignatureManifest(options: BuildSignatureManifestOptions): BuiltSignatureManifest {
  if (!isSignatureMediaType(options.envelope.mediaType)) {
    throw new NotaryError('UNSUPPORTED_SIGNATURE_FORMAT', `envelope media type "${options.envelope.mediaType}" is not a Notary signature envelope`);
  }
  if (!SIGNATURE_MANIFEST_FORMS.includes(options.form)) {
    throw new NotaryError('INVALID_INPUT', `signature manifest form "${String(options.form)}" is unknown; use artifact or image`);
  }
  const config: Descriptor =
    options.form === 'artifact'
      ? { mediaType: MEDIA_TYPE_OCI_EMPTY, digest: EMPTY_JSON_DIGEST, size: EMPTY_JSON_BYTES.length, data: Buffer.from(EMPTY_JSON_BYTES).toString('base64') }
      : { mediaType: ARTIFACT_TYPE_NOTARY_SIGNATURE, digest: EMPTY_JSON_DIGEST, size: EMPTY_JSON_BYTES.length };
  const annotations: Record<string, string> = {
    ...(options.annotations ?? {}),
    [ANNOTATION_X509_CHAIN_THUMBPRINT]: JSON.stringify(certificateThumbprints(options.certificateChain)),
  };
  const created = options.created === undefined ? new Date() : options.created;
  if (created && !(ANNOTATION_CREATED in annotations)) annotations[ANNOTATION_CREATED] = rfc3339(created);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    ...(options.form === 'artifact' ? { artifactType: ARTIFACT_TYPE_NOTARY_SIGNATURE } : {}),
    config,
    layers: [{ mediaType: options.envelope.mediaType, digest: options.envelope.digest, size: options.envelope.size }],
    subject: { mediaType: options.subject.mediaType, digest: options.subject.digest, size: options.subject.size },
    annotations,
  };
  const bytes = encodeManifest(manifest);
  return {
    manifest,
    bytes,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    digest: computeDigest(bytes),
    config: { descriptor: { mediaType: config.mediaType, digest: config.digest, size: config.size }, bytes: EMPTY_JSON_BYTES },
  };
}

export interface SignatureManifestInfo {
  form: SignatureManifestForm;
  /** The envelope blob to fetch: its mediaType says how to parse it. */
  envelope: Descriptor & { mediaType: SignatureMediaType };
  subject?: Descriptor;
  /** Thumbprints from the annotation, when present and well formed (filtering only: never trusted). */
  thumbprints?: string[];
  annotations: Record<string, string>;
}

function malformed(message: string): NotaryError {
  return new NotaryError('MALFORMED_SIGNATURE', `not a valid Notary signature manifest: ${message}`);
}

/** True when a manifest (or a referrers descriptor's artifactType) marks a Notary signature in either form. */
export function isSignatureManifest(manifest: Manifest): boolean {
  if (!('config' in manifest) || !manifest.config) return false;
  return (manifest.artifactType ?? manifest.config.mediaType) === ARTIFACT_TYPE_NOTARY_SIGNATURE;
}

/**
 * Read the envelope descriptor out of a signature manifest of either form. A manifest with other
 * than one layer, an artifactType or config that is not the Notary one, or an oversized envelope is
 * MALFORMED_SIGNATURE; an envelope media type other than JWS or COSE is UNSUPPORTED_SIGNATURE_FORMAT.
 */
export function readSignatureManifest(manifest: Manifest): SignatureManifestInfo {
  if (!('config' in manifest) || !manifest.config || !Array.isArray(manifest.layers)) {
    throw malformed('it is an index, not an image manifest');
  }
  if (manifest.mediaType !== undefined && manifest.mediaType !== MEDIA_TYPE_OCI_MANIFEST) {
    throw malformed(`media type must be ${MEDIA_TYPE_OCI_MANIFEST}, got ${manifest.mediaType}`);
  }
  let form: SignatureManifestForm;
  if (manifest.artifactType !== undefined) {
    if (manifest.artifactType !== ARTIFACT_TYPE_NOTARY_SIGNATURE) throw malformed(`artifactType is ${manifest.artifactType}`);
    form = 'artifact';
  } else if (manifest.config.mediaType === ARTIFACT_TYPE_NOTARY_SIGNATURE) {
    form = 'image';
  } else {
    throw malformed(`neither artifactType nor config.mediaType is ${ARTIFACT_TYPE_NOTARY_SIGNATURE}`);
  }
  if (manifest.layers.length !== 1) {
    throw malformed(`it must have exactly one layer (the envelope), it has ${manifest.layers.length}`);
  }
  const layer = manifest.layers[0] as Descriptor;
  if (!isSignatureMediaType(layer.mediaType)) {
    throw new NotaryError(
      'UNSUPPORTED_SIGNATURE_FORMAT',
      `signature envelope media type "${layer.mediaType}" is not supported; Notary signatures are application/jose+json or application/cose`,
    );
  }
  if (!Number.isSafeInteger(layer.size) || layer.size <= 0 || layer.size > MAX_ENVELOPE_BYTES) {
    throw malformed(`the envelope is ${layer.size} bytes; allowed are 1 to ${MAX_ENVELOPE_BYTES}`);
  }
  const annotations = manifest.annotations ?? {};
  if (Object.keys(annotations).length > MAX_SIGNATURE_MANIFEST_ANNOTATIONS) {
    throw malformed(`it has more than ${MAX_SIGNATURE_MANIFEST_ANNOTATIONS} annotations`);
  }
  const thumbprints = parseThumbprints(annotations[ANNOTATION_X509_CHAIN_THUMBPRINT]);
  return {
    form,
    envelope: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size },
    ...(manifest.subject ? { subject: manifest.subject } : {}),
    ...(thumbprints ? { thumbprints } : {}),
    annotations,
  };
}

function parseThumbprints(value: string | undefined): string[] | undefined {
  if (value === undefined || value.length > MAX_THUMBPRINTS * 70) return undefined;
  try {
    const list: unknown = JSON.parse(value);
    if (Array.isArray(list) && list.length <= MAX_THUMBPRINTS && list.every((t) => typeof t === 'string' && /^[0-9a-fA-F]{64}$/.test(t))) {
      return (list as string[]).map((t) => t.toLowerCase());
    }
  } catch {
    // A broken annotation only disables filtering by thumbprint; the envelope still decides.
  }
  return undefined;
}
