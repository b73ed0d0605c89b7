// Finds the Notary signature manifests of an artifact and reads the envelope each one points at.
import { newestFirst, type ArtifactStore, type Descriptor, type Manifest, type RequestOptions } from '../../oci/index.js';
import { isDigest } from '../../reference/index.js';
import { NotaryError } from '../errors.js';
import { readSignatureManifest } from '../signature-manifest.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE } from '../types.js';

/** A signature manifest descriptor and the artifact it was listed for. */
export interface SignatureCandidate {
  descriptor: Descriptor;
  subject: Descriptor;
}

/**
 * Resolve `tagOrDigest` in `store` (with `resolve`, by default the store's own) for verification. By digest, the
 * signature listing needs nothing the resolve answers, so it goes out at the same time (stores that list ahead):
 * the CLI and the service take this one flow. Every signature listed is still checked against the descriptor
 * the resolve returns (envelopeDescriptor, the payload's target), never against the digest asked for.
 */
export function resolveListingAhead(
  store: ArtifactStore,
  tagOrDigest: string,
  options: RequestOptions,
  resolve: () => Promise<Descriptor> = () => store.resolve(tagOrDigest, options),
): Promise<Descriptor> {
  if (isDigest(tagOrDigest)) store.prefetchReferrers?.(tagOrDigest, ARTIFACT_TYPE_NOTARY_SIGNATURE, options);
  return resolve();
}

/**
 * Referrers of each subject whose artifact type is the Notary signature type (both manifest forms:
 * an image-form signature's artifact type is its config media type), deduplicated, newest first,
 * subjects in the order given (listed all at once). Returns every candidate; the caller bounds how many it tries.
 */
export async function listSignatures(store: ArtifactStore, subjects: Descriptor[], signal?: AbortSignal): Promise<SignatureCandidate[]> {
  // Every subject's listing at once; candidates still in the subjects' order.
  const listings = await Promise.all(subjects.map((subject) => store.referrers(subject, ARTIFACT_TYPE_NOTARY_SIGNATURE, { signal })));
  const seen = new Set<string>();
  const candidates: SignatureCandidate[] = [];
  for (const [index, referrers] of listings.entries()) {
    const subject = subjects[index] as Descriptor;
    const signatures = referrers.filter((d) => d.artifactType === undefined || d.artifactType === ARTIFACT_TYPE_NOTARY_SIGNATURE);
    for (const descriptor of newestFirst(signatures)) {
      if (seen.has(descriptor.digest)) continue;
      seen.add(descriptor.digest);
      candidates.push({ descriptor, subject });
    }
  }
  return candidates;
}

/**
 * The envelope descriptor of a signature manifest (either form, one JWS or COSE layer: see
 * readSignatureManifest), whose subject must be the artifact it was listed for.
 */
export function envelopeDescriptor(manifest: Manifest, subject: Descriptor): Descriptor {
  const info = readSignatureManifest(manifest);
  if (info.subject?.digest !== subject.digest) {
    throw new NotaryError('MALFORMED_SIGNATURE', `the signature manifest's subject ${info.subject?.digest ?? '(none)'} is not the artifact ${subject.digest}`);
  }
  return info.envelope;
}
