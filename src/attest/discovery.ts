// Finds an image's attestations of one type: referrers whose artifactType equals the type, newest first.
import { newestFirst, type ArtifactStore, type Descriptor } from '../oci/index.js';

/**
 * Referrers of `subject` whose `artifactType` is exactly `type` (Referrers API or the referrers
 * tag schema, paginated and bounded in count and bytes by the store), deduplicated by digest,
 * newest first by their `created` annotation, then by digest.
 */
export async function listAttestations(store: ArtifactStore, subject: Descriptor, type: string, signal?: AbortSignal): Promise<Descriptor[]> {
  const referrers = await store.referrers(subject, type, { signal });
  const seen = new Set<string>();
  const matching = referrers.filter((d) => d.artifactType === type && !seen.has(d.digest) && Boolean(seen.add(d.digest)));
  return newestFirst(matching);
}
