// The verdict cache: TTLs by verdict kind, transient results never kept, one computation per key in flight.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { clampTtlSeconds, MAX_CACHE_TTL_SECONDS, VerdictCache, type VerdictKind } from '../../src/service/index.js';

interface Verdict {
  kind: VerdictKind;
  n: number;
}

/** A computation of our own module boundary that counts its calls. */
function counter(kind: VerdictKind = 'positive', delayMs = 0) {
  let calls = 0;
  const compute = async (signal: AbortSignal): Promise<Verdict> => {
    calls += 1;
    const n = calls;
    if (delayMs > 0) await sleep(delayMs, undefined, { signal });
    return { kind, n };
  };
  return { compute, calls: () => calls };
}

function cache(options: Partial<ConstructorParameters<typeof VerdictCache<Verdict>>[0]> = {}) {
  let hits = 0;
  let misses = 0;
  const c = new VerdictCache<Verdict>({
    enabled: true,
    maxSize: 10,
    ttlSeconds: 3600,
    classify: (v) => v.kind,
    onHit: () => (hits += 1),
    onMiss: () => (misses += 1),
    ...options,
  });
  return { c, hits: () => hits, misses: () => misses };
}

const wait = { signal: new AbortController().signal, flightTimeoutMs: 5_000 };

test('a positive verdict is reused; hits and misses are counted', async () => {
  const { c, hits, misses } = cache();
  const work = counter('positive');
  const first = await c.get('k', work.compute, wait);
  const second = await c.get('k', work.compute, wait);
  expect([first.cached, second.cached]).toEqual([false, true]);
  expect(second.value).toBe(first.value);
  expect([work.calls(), hits(), misses(), c.size]).toEqual([1, 1, 1, 1]);
});

test('cached(key) answers only from the cache: a hit is counted, a miss is not (and computes nothing)', async () => {
  const { c, hits, misses } = cache();
  expect(await c.cached('k')).toBeUndefined();
  expect([hits(), misses()]).toEqual([0, 0]);
  const { value } = await c.get('k', counter('positive').compute, wait);
  expect(await c.cached('k')).toBe(value);
  expect([hits(), misses()]).toEqual([1, 1]);
});

test('transient verdicts (registry down, timeouts) are never cached', async () => {
  const { c } = cache();
  const work = counter('transient');
  await c.get('k', work.compute, wait);
  await c.get('k', work.compute, wait);
  expect(work.calls()).toBe(2);
  expect(c.size).toBe(0);
});

test('a failed computation is not cached and reaches every waiter', async () => {
  const { c } = cache();
  let calls = 0;
  const failing = async (): Promise<Verdict> => {
    calls += 1;
    await sleep(20);
    throw new Error('boom');
  };
  const results = await Promise.allSettled([c.get('k', failing, wait), c.get('k', failing, wait)]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  expect(calls).toBe(1);
  await expect(c.get('k', failing, wait)).rejects.toThrow('boom');
  expect(calls).toBe(2);
});

test('a computation that throws synchronously does not leave a stuck flight', async () => {
  const { c } = cache();
  const throwing = ((): Promise<Verdict> => {
    throw new Error('sync');
  }) as (signal: AbortSignal) => Promise<Verdict>;
  await expect(c.get('k', throwing, wait)).rejects.toThrow('sync');
  expect(c.inFlight).toBe(0);
  await expect(c.get('k', counter().compute, wait)).resolves.toMatchObject({ value: { n: 1 } });
});

test('negative verdicts live only briefly, positive ones for the TTL', async () => {
  const { c } = cache({ negativeTtlMs: 50 });
  const negative = counter('negative');
  await c.get('neg', negative.compute, wait);
  await c.get('neg', negative.compute, wait);
  expect(negative.calls()).toBe(1);
  await sleep(80);
  await c.get('neg', negative.compute, wait);
  expect(negative.calls()).toBe(2);

  const positive = counter('positive');
  await c.get('pos', positive.compute, wait);
  await sleep(80);
  await c.get('pos', positive.compute, wait);
  expect(positive.calls()).toBe(1);
});

test('entries expire after ttlSeconds', async () => {
  const { c } = cache({ ttlSeconds: 1 });
  const work = counter('positive');
  await c.get('k', work.compute, wait);
  await sleep(1_050);
  await c.get('k', work.compute, wait);
  expect(work.calls()).toBe(2);
});

test('the LRU bound holds', async () => {
  const { c } = cache({ maxSize: 3 });
  for (const key of ['a', 'b', 'c', 'd', 'e']) await c.get(key, counter().compute, wait);
  expect(c.size).toBe(3);
});

test('cacheEnabled=false: nothing kept, concurrent identical keys still share one flight', async () => {
  const { c } = cache({ enabled: false });
  const work = counter('positive', 30);
  const [a, b] = await Promise.all([c.get('k', work.compute, wait), c.get('k', work.compute, wait)]);
  expect(work.calls()).toBe(1);
  expect([a.shared, b.shared]).toEqual([false, true]);
  await c.get('k', work.compute, wait);
  expect(work.calls()).toBe(2);
  expect(c.size).toBe(0);
});

describe('single flight', () => {
  test('concurrent identical keys run one computation; other keys run their own', async () => {
    const { c } = cache();
    const work = counter('positive', 30);
    const results = await Promise.all([
      c.get('same', work.compute, wait),
      c.get('same', work.compute, wait),
      c.get('same', work.compute, wait),
      c.get('other', work.compute, wait),
    ]);
    expect(work.calls()).toBe(2);
    expect(results.map((r) => r.shared)).toEqual([false, true, true, false]);
    expect(results[0]?.value).toBe(results[1]?.value);
  });

  test("one waiter giving up does not cancel the computation for the others", async () => {
    const { c } = cache();
    const work = counter('positive', 60);
    const impatient = new AbortController();
    const first = c.get('k', work.compute, { signal: impatient.signal, flightTimeoutMs: 5_000 });
    const second = c.get('k', work.compute, wait);
    setTimeout(() => impatient.abort(new DOMException('deadline', 'TimeoutError')), 10);
    await expect(first).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(second).resolves.toMatchObject({ value: { n: 1 }, shared: true });
    expect(work.calls()).toBe(1);
    expect(c.size).toBe(1);
  });

  test('the last waiter giving up abandons the flight; a later caller starts a new one', async () => {
    const { c } = cache();
    const seen: AbortSignal[] = [];
    const compute = async (signal: AbortSignal): Promise<Verdict> => {
      seen.push(signal);
      await sleep(10_000, undefined, { signal });
      return { kind: 'positive', n: seen.length };
    };
    const first = new AbortController();
    const second = new AbortController();
    const waits = [c.get('k', compute, { signal: first.signal, flightTimeoutMs: 60_000 }), c.get('k', compute, { signal: second.signal, flightTimeoutMs: 60_000 })];
    await sleep(10);
    first.abort(new DOMException('first gone', 'AbortError'));
    await expect(waits[0]).rejects.toMatchObject({ message: 'first gone' });
    expect(seen.map((s) => s.aborted)).toEqual([false]);
    expect(c.inFlight).toBe(1);
    second.abort(new DOMException('second gone', 'AbortError'));
    await expect(waits[1]).rejects.toMatchObject({ message: 'second gone' });
    expect(seen[0]?.reason).toMatchObject({ name: 'AbortError', message: 'every request waiting for this verification has gone' });
    expect(c.inFlight).toBe(0);
    const third = c.get('k', compute, { signal: wait.signal, flightTimeoutMs: 20 });
    await expect(third).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toHaveLength(2);
  });

  test('the flight has its own deadline and close() aborts it', async () => {
    const { c } = cache();
    const slow = counter('positive', 10_000);
    // node's timers reject with AbortError whatever the reason; the flight's 30 ms deadline fired it.
    await expect(c.get('k', slow.compute, { signal: wait.signal, flightTimeoutMs: 30 })).rejects.toMatchObject({ name: 'AbortError' });
    const pending = c.get('k2', slow.compute, wait);
    c.close();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(c.inFlight).toBe(0);
  });
});

test.each([
  [3600, 3600],
  [1, 1],
  [0.2, 1],
  [Number.MAX_SAFE_INTEGER, MAX_CACHE_TTL_SECONDS],
  [2 ** 63, MAX_CACHE_TTL_SECONDS],
  [Number.POSITIVE_INFINITY, MAX_CACHE_TTL_SECONDS],
])('huge TTLs clamp instead of overflowing: %s s → %s s', (input, expected) => {
  expect(clampTtlSeconds(input)).toBe(expected);
});

test('a positive verdict is not kept past its validUntil (signature or certificate expiry), nor at all when that has passed', async () => {
  const until = new Map<number, number>();
  const { c } = cache({ validUntil: (v) => until.get(v.n) });
  const work = counter('positive');
  until.set(1, Date.now() + 80);
  await c.get('k', work.compute, wait);
  expect((await c.get('k', work.compute, wait)).cached).toBe(true);
  await sleep(120);
  until.set(2, Date.now() - 1);
  expect((await c.get('k', work.compute, wait)).cached).toBe(false);
  expect(c.size).toBe(0);
  expect((await c.get('k', work.compute, wait)).cached).toBe(false);
  expect(work.calls()).toBe(3);
});
