// How many requests one registry host gets from us at once: a bound that halves when the host answers 429 and
// grows back by one per bound's worth of answers (additive increase, multiplicative decrease, as TCP does).
import { raceSignal } from '../common/index.js';

/** A slot held while a request is in flight; `throttled` reports a 429 answered to it. */
export interface HostSlot {
  release(): void;
  throttled(): void;
}

interface Waiter {
  grant(): void;
}

export class HostLimit {
  readonly #max: number;
  /** The current bound (fractional while it grows back). */
  #limit: number;
  #active = 0;
  readonly #queue: Waiter[] = [];
  /** Bumped at each decrease: 429s to requests sent before it do not halve the bound again. */
  #epoch = 0;

  constructor(max: number) {
    this.#max = max;
    this.#limit = max;
  }

  /** The bound now (whole requests). */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /** Requests in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Wait for a slot (in arrival order); a signal that aborts stops the wait with its reason. */
  async acquire(signal?: AbortSignal): Promise<HostSlot> {
    signal?.throwIfAborted();
    if (this.#active < this.limit && this.#queue.length === 0) {
      this.#active += 1;
    } else {
      let granted = false;
      const waiter: Waiter = { grant: () => undefined };
      const wait = new Promise<void>((resolve) => {
        waiter.grant = () => {
          granted = true;
          resolve();
        };
      });
      this.#queue.push(waiter);
      try {
        await (signal ? raceSignal(wait, signal) : wait);
      } catch (err) {
        if (granted) this.#free();
        else this.#queue.splice(this.#queue.indexOf(waiter), 1);
        throw err;
      }
    }
    return this.#slot();
  }

  #slot(): HostSlot {
    const epoch = this.#epoch;
    let released = false;
    let throttled = false;
    return {
      throttled: () => {
        throttled = true;
        if (epoch !== this.#epoch) return;
        this.#epoch += 1;
        this.#limit = Math.max(1, Math.floor(this.#limit / 2));
      },
      release: () => {
        if (released) return;
        released = true;
        if (!throttled && this.#limit < this.#max) this.#limit = Math.min(this.#max, this.#limit + 1 / this.limit);
        this.#free();
      },
    };
  }

  /** One slot back: the next waiter gets it while the bound allows. */
  #free(): void {
    this.#active -= 1;
    while (this.#active < this.limit && this.#queue.length > 0) {
      this.#active += 1;
      (this.#queue.shift() as Waiter).grant();
    }
  }
}
