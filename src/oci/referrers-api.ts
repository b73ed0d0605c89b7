// What a client has seen of one registry's Referrers API, shared by the registry's repositories: while nobody
// knows, one request probes and the others wait for its answer (50 images of a fresh process make one probe).
import { raceSignal } from '../common/index.js';

/**
 * Whether the registry serves the Referrers API: a 404 from the API marks it unsupported and it is not
 * asked again; a 200 or a push answered with OCI-Subject marks it supported. The API is a registry's
 * feature, not a repository's: a registry answers for all its repositories.
 */
export type ReferrersApiSupport = 'unknown' | 'supported' | 'unsupported';

export class ReferrersApiKnowledge {
  state: ReferrersApiSupport = 'unknown';
  #probe: Promise<void> | undefined;

  /**
   * Wait while another caller's probe is in flight and nothing is known (the signal stops the wait with its
   * reason). When still unknown, the caller becomes the probe: it gets a `done` callback to call once its
   * request has answered (or failed), and everyone else waits for that. Otherwise undefined.
   */
  async claim(signal?: AbortSignal): Promise<(() => void) | undefined> {
    while (this.state === 'unknown' && this.#probe) await (signal ? raceSignal(this.#probe, signal) : this.#probe);
    if (this.state !== 'unknown') return undefined;
    // No await between the check and the claim: two callers never both probe.
    let settle!: () => void;
    const probe = new Promise<void>((resolve) => (settle = resolve));
    this.#probe = probe;
    return () => {
      if (this.#probe === probe) this.#probe = undefined;
      settle();
    };
  }
}
