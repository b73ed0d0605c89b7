// A registry's warm-up: until it has answered once, only a few requests go out and the rest wait for that answer,
// so they find its connection open, its auth scheme learnt and a token fetched (not 50 handshakes and challenges).
import { raceSignal } from '../common/index.js';

export class WarmUp {
  readonly #alongside: number;
  #warm = false;
  #inFlight = 0;
  #wake: { promise: Promise<void>; resolve: () => void } | undefined;

  /** `alongside`: first requests let through together before an answer (an image's HEAD and its signature listing). */
  constructor(alongside: number) {
    this.#alongside = alongside;
  }

  get warm(): boolean {
    return this.#warm;
  }

  /**
   * Wait until the registry has answered or a first request's place is free (the signal stops the wait with its
   * reason). Undefined once warm; otherwise the caller is a first request and gets `done(answered)` to call when
   * its request has answered (warm from then on) or failed (the next waiter goes).
   */
  async enter(signal?: AbortSignal): Promise<((answered: boolean) => void) | undefined> {
    while (!this.#warm && this.#inFlight >= this.#alongside) {
      if (!this.#wake) {
        let resolve!: () => void;
        const promise = new Promise<void>((settle) => (resolve = settle));
        this.#wake = { promise, resolve };
      }
      await (signal ? raceSignal(this.#wake.promise, signal) : this.#wake.promise);
    }
    if (this.#warm) return undefined;
    // No await between the check and the count: never more than `alongside` first requests.
    this.#inFlight += 1;
    let settled = false;
    return (answered) => {
      if (settled) return;
      settled = true;
      this.#inFlight -= 1;
      if (answered) this.#warm = true;
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.resolve();
    };
  }
}
