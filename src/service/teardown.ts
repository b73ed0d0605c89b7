// Releasing what a composition root (serve, webhook) built: in reverse order, once, also when building fails half-way.
import type { Logger } from 'pino';

type Step = () => Promise<void>;

/**
 * The release steps of a composition root. `close()` runs them newest first, each once (a failing
 * step is logged and the next still runs); later calls share the first. A root calls it when
 * building fails, and hands it out as its result's `close`.
 */
export class Teardown {
  readonly #steps: Step[] = [];
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Released before every step added earlier. */
  add(step: Step): void {
    this.#steps.push(step);
  }

  /** Released after every other step (probes answer "not ready" while requests drain). */
  addLast(step: Step): void {
    this.#steps.unshift(step);
  }

  readonly close = (): Promise<void> => (this.#closing ??= this.#release());

  async #release(): Promise<void> {
    for (const step of this.#steps.reverse()) await step().catch((err: unknown) => this.#logger.warn({ err }, 'error while shutting down'));
    this.#steps.length = 0;
  }
}
