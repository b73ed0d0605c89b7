// One caller finds out, the others wait for it: a per-registry fact learnt from a first answer (the Referrers
// API's support; a fresh registry's connection and auth scheme are learnt by warm-up.ts, which lets two go).
import { raceSignal } from '../common/index.js';

export class SingleProbe {
  #pending: Promise<void> | undefined;

  /**
   * Wait while another caller's probe is in flight and `known()` is false (the signal stops the wait with its
   * reason). When still not known, the caller becomes the probe: it gets a `done` callback to call once its
   * request has answered (or failed), and everyone else waits for that. Otherwise undefined.
   */
  async claim(known: () => boolean, signal?: AbortSignal): Promise<(() => void) | undefined> {
    while (!known() && this.#pending) await (signal ? raceSignal(this.#pending, signal) : this.#pending);
    if (known()) return undefined;
    // No await between the check and the claim: two callers never both probe.
    let settle!: () => void;
    const pending = new Promise<void>((resolve) => (settle = resolve));
    this.#pending = pending;
    return () => {
      if (this.#pending === pending) this.#pending = undefined;
      settle();
    };
  }
}
