// What a client has seen of one registry's Referrers API, shared by the registry's repositories: while nobody
// knows, one request probes and the others wait for its answer (50 images of a fresh process make one probe).
import { SingleProbe } from './single-probe.js';

/**
 * Whether the registry serves the Referrers API: a 404 from the API marks it unsupported and it is not
 * asked again; a 200 or a push answered with OCI-Subject marks it supported. The API is a registry's
 * feature, not a repository's: a registry answers for all its repositories.
 */
export type ReferrersApiSupport = 'unknown' | 'supported' | 'unsupported';

export class ReferrersApiKnowledge {
  state: ReferrersApiSupport = 'unknown';
  readonly #probe = new SingleProbe();

  /** See SingleProbe.claim: while the support is unknown, one caller asks the API and the others wait for its answer. */
  claim(signal?: AbortSignal): Promise<(() => void) | undefined> {
    return this.#probe.claim(() => this.state !== 'unknown', signal);
  }
}
