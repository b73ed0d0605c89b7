// Yielding to the event loop while a verification works through the signer's input: by time, not by step.
//
// Every image of a signer carries the same chain, whose parses and signature checks are cached
// (pki/certificate/cache.ts): yielding after each of those steps costs an event-loop turn per
// step and buys nothing. A step that does real work — a hostile chain's big keys — takes longer
// than the slice, so the verification still yields after it, as after every step before.
import { setImmediate as nextTurn } from 'node:timers/promises';

/** The longest a verification runs before it lets other requests go (wall-clock: a loaded machine yields sooner). */
export const PACE_SLICE_MS = 1;

/** One per run of steps (a signature's chain, an image's signatures): `step()` yields once the slice since the last yield is used up. */
export class Pacer {
  #since = performance.now();

  async step(): Promise<void> {
    if (performance.now() - this.#since < PACE_SLICE_MS) return;
    await nextTurn();
    this.#since = performance.now();
  }
}
