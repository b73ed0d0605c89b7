// Cancellation: deadlines and linked signals that keep strong references, and the checks every domain makes on an abort.
//
// Why not AbortSignal.any / AbortSignal.timeout: on Node 20 `AbortSignal.any` holds its sources
// weakly (nodejs/node#57736), so a composite built from an inline `AbortSignal.timeout(...)` stops
// aborting once that timeout signal is garbage collected; a request then outlives its deadline.
// Here the timer and the parents' listeners hold the controller, and `dispose()` lets go of both.

/** A signal that aborts when its time is up or when any parent aborts; dispose it when the work ends. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True when the signal aborted because this deadline's own time was up (not a parent). */
  readonly timedOut: boolean;
  /** Stop the timer and detach from the parents (the signal stays as it is). Idempotent. */
  dispose(): void;
  /** Abort now with `reason` and dispose, as a parent aborting would (e.g. when the client hung up); nothing once disposed. */
  abort(reason: unknown): void;
}

export interface DeadlineOptions {
  /** Abort after this many milliseconds with a `TimeoutError` DOMException (as AbortSignal.timeout); none: no timer. */
  timeoutMs?: number;
  /** Message of the timeout's reason. */
  timeoutMessage?: string;
  /** Keep the process alive while the timer runs (default false, as AbortSignal.timeout). */
  ref?: boolean;
}

/**
 * A signal that aborts after `options.timeoutMs`, or as soon as one of `parents` aborts (with
 * that parent's reason). Unlike `AbortSignal.any([AbortSignal.timeout(ms), ...])` it keeps
 * working after a garbage collection.
 */
export function deadline(parents: readonly (AbortSignal | undefined)[], options: DeadlineOptions = {}): Deadline {
  const controller = new AbortController();
  const detach: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  let disposed = false;
  const dispose = (): void => {
    disposed = true;
    clearTimeout(timer);
    timer = undefined;
    for (const step of detach.splice(0)) step();
  };
  const abort = (reason: unknown): void => {
    if (disposed) return;
    dispose();
    controller.abort(reason);
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      abort(parent.reason);
      return { signal: controller.signal, timedOut: false, dispose, abort };
    }
    const onAbort = (): void => abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    detach.push(() => parent.removeEventListener('abort', onAbort));
  }
  if (options.timeoutMs !== undefined) {
    const message = options.timeoutMessage ?? `the operation did not finish within ${options.timeoutMs} ms`;
    timer = setTimeout(() => {
      timedOut = true;
      abort(new DOMException(message, 'TimeoutError'));
    }, Math.max(0, options.timeoutMs));
    if (!options.ref) timer.unref();
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
    abort,
  };
}

/** Run `work` with a deadline signal and dispose of it when the work settles. */
export async function withDeadline<T>(
  parents: readonly (AbortSignal | undefined)[],
  options: DeadlineOptions,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const linked = deadline(parents, options);
  try {
    return await work(linked.signal);
  } finally {
    linked.dispose();
  }
}

/** The reason a signal aborted with, or a generic AbortError when it gave none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** True for what an aborted signal throws: an `AbortError` or `TimeoutError` (DOMException or Error of that name). */
export function isAbortError(err: unknown): boolean {
  return err instanceof DOMException || (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError'));
}

/** True when `err` is the timeout of a deadline (or of AbortSignal.timeout), not another cancellation. */
export function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** Settle with `promise`, or reject as soon as `signal` aborts (the work itself goes on for other waiters). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Nobody awaits `promise` any more: its own rejection (e.g. the aborted registry request) must not go unhandled and crash the process.
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
