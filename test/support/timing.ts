// Timing bounds that load alone cannot break: a latency under a fault is held to the same request's latency
// measured just before and just after, in the same file, under the same load (a baseline), and an answer owed at a
// deadline to the configured deadline plus a margin of that baseline. A fixed small number of milliseconds is what a loaded
// 2-core machine exceeds without anything being wrong; a multiple of what the machine does right now is not.

/**
 * How much slower than its baseline a request may be while a fault goes on elsewhere. A request held up by the
 * fault waits for it (a stall lasts the whole request deadline; a parse that blocks the event loop, its whole
 * time) and exceeds this; one that merely shares the CPU with the fault does not.
 */
export const SLOWDOWN_FACTOR = 5;
/** Added to every bound: a GC pause or a scheduling hiccup, which a baseline of a few requests does not show. */
export const SLACK_MS = 1000;

/** The median of `runs` timings of `timed` (each resolves with its own latency in ms), run one after another. */
export async function baseline(timed: () => Promise<number>, runs = 3): Promise<number> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) latencies.push(await timed());
  latencies.sort((a, b) => a - b);
  return latencies[Math.floor(latencies.length / 2)] ?? 0;
}

/**
 * Run `during` (the case under a fault; it is given the baseline before) between two baselines of `timed`; the
 * larger is the case's baseline, so load that rises while the case runs raises its bounds too.
 */
export async function bracketed<T>(timed: () => Promise<number>, during: (beforeMs: number) => Promise<T>): Promise<{ outcome: T; baselineMs: number }> {
  const before = await baseline(timed);
  const outcome = await during(before);
  return { outcome, baselineMs: Math.max(before, await baseline(timed)) };
}

/** The latency a request whose baseline is `baselineMs` stays under when nothing holds it up (plus `waitsMs` it is known to wait). */
export function notHeldUp(baselineMs: number, waitsMs = 0): number {
  return waitsMs + SLOWDOWN_FACTOR * baselineMs + SLACK_MS;
}

/**
 * When an answer owed at `deadlineMs` (a configured timeout) may come at the latest: the deadline, then no
 * longer than a request of the baseline takes when nothing holds it up.
 */
export function deadlineBound(deadlineMs: number, baselineMs: number): number {
  return deadlineMs + notHeldUp(baselineMs);
}
