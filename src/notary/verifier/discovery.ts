// Finds the Notary signature manifests of an artifact and reads the envelope each one points at.
import { MEDIA_TYPE_OCI_EMPTY } from '../../oci/index.js';
import type { ArtifactStore, Descriptor, ImageManifest, Manifest } from '../../oci/types.js';
import { NotaryError } from '../errors.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE, MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from '../types.js';
import { ANNOTATION_CREATED } from './constants.js';

/** A signature manifest descriptor and the artifact it was listed for. */
export interface SignatureCandidate {
  descriptor: Descriptor;
  subject: Descriptor;
}

/** Newest first by the `created` annotation, then by digest: deterministic whatever order the registry lists. */
export function orderSignatures(descriptors: Descriptor[]): Descriptor[] {
  const created = (d: Descriptor): number => {
    const value = d.annotations?.[ANNOTATION_CREATED];
    const time = value ? Date.parse(value) : NaN;
    return Number.isNaN(time) ? -Infinity : time;
  };
  return [...descriptors].sort((a, b) => created(b) - created(a) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
}

/**
 * Referrers of each subject whose artifact type is the Notary signature type (both manifest forms:
 * an image-form signature's artifact type is its config media type), deduplicated, newest first,
 * subjects in the order given. Returns every candidate; the caller bounds how many it tries.
 */
export async function listSignatures(store: ArtifactStore, subjects: Descriptor[], signal?: AbortSignal): Promise<SignatureCandidate[]> {
  const seen = new Set<string>();
  const candidates: SignatureCandidate[] = [];
  for (const subject of subjects) {
    const referrers = await store.referrers(subject, ARTIFACT_TYPE_NOTARY_SIGNATURE, { signal });
    const signatures = referrers.filter((d) => d.artifactType === undefined || d.artifactType === ARTIFACT_TYPE_NOTARY_SIGNATURE);
    for (const descriptor of orderSignatures(signatures)) {
      if (seen.has(descriptor.digest)) continue;
      seen.add(descriptor.digest);
      candidates.push({ descriptor, subject });
    }
  }
  return candidates;
}

function isImageManifest(manifest: Manifest): manifest is ImageManifest {
  return 'config' in manifest && Array.isArray((manifest as ImageManifest).layers);
}

/**
 * The envelope descriptor of a signature manifest, after checking it is one (signature-specification.md,
 * OCI Signatures): artifactType with an empty config, or the signature type as config media type;
 * exactly one layer in a supported envelope format; a subject equal to the artifact.
 */
export function envelopeDescriptor(manifest: Manifest, subject: Descriptor): Descriptor {
  if (!isImageManifest(manifest)) {
    throw new NotaryError('MALFORMED_SIGNATURE', 'the signature manifest is not an image manifest');
  }
  const configType = manifest.config.mediaType;
  const artifactForm = manifest.artifactType === ARTIFACT_TYPE_NOTARY_SIGNATURE && configType === MEDIA_TYPE_OCI_EMPTY;
  const imageForm = configType === ARTIFACT_TYPE_NOTARY_SIGNATURE && (manifest.artifactType === undefined || manifest.artifactType === ARTIFACT_TYPE_NOTARY_SIGNATURE);
  if (!artifactForm && !imageForm) {
    throw new NotaryError(
      'MALFORMED_SIGNATURE',
      `the manifest is not a Notary signature manifest (artifactType ${JSON.stringify(manifest.artifactType ?? null)}, config media type ${JSON.stringify(configType)})`,
    );
  }
  if (manifest.subject?.digest !== subject.digest) {
    throw new NotaryError('MALFORMED_SIGNATURE', `the signature manifest's subject ${manifest.subject?.digest ?? '(none)'} is not the artifact ${subject.digest}`);
  }
  if (manifest.layers.length !== 1) {
    throw new NotaryError('MALFORMED_SIGNATURE', `a signature manifest must have exactly one layer (the envelope); this one has ${manifest.layers.length}`);
  }
  const layer = manifest.layers[0] as Descriptor;
  if (layer.mediaType !== MEDIA_TYPE_JWS && layer.mediaType !== MEDIA_TYPE_COSE) {
    throw new NotaryError('UNSUPPORTED_SIGNATURE_FORMAT', `signature envelope format with media type "${layer.mediaType}" is not supported`);
  }
  return layer;
}
