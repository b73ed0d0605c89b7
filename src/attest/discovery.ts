// Finds an image's attestations of a type: referrers whose artifactType equals the type, newest first.
import { newestFirst, type ArtifactStore, type Descriptor } from '../oci/index.js';

/** The referrers of exactly `type` among `referrers`, deduplicated by digest, newest first by their `created` annotation, then by digest. */
export function selectAttestations(referrers: readonly Descriptor[], type: string): Descriptor[] {
  const seen = new Set<string>();
  return newestFirst(referrers.filter((d) => d.artifactType === type && !seen.has(d.digest) && Boolean(seen.add(d.digest))));
}

/**
 * Referrers of `subject` of exactly `type` (Referrers API or the referrers tag schema, paginated
 * and bounded in count and bytes by the store), as selectAttestations orders them.
 */
export async function listAttestations(store: ArtifactStore, subject: Descriptor, type: string, signal?: AbortSignal): Promise<Descriptor[]> {
  return selectAttestations(await store.referrers(subject, type, { signal }), type);
}
