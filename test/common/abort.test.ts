// Deadlines and linked signals: they abort on time after a garbage collection (unlike AbortSignal.any on Node 20), pass a parent's reason on, and let go when disposed.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { deadline, isAbortError, isTimeoutError, raceSignal } from '../../src/common/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('deadline', () => {
  test('aborts with a TimeoutError after its time even when garbage is collected meanwhile', async () => {
    const parent = new AbortController();
    const { signal, timedOut } = deadline([parent.signal], { timeoutMs: 150, timeoutMessage: 'too slow' });
    expect(timedOut).toBe(false);
    await sleep(50);
    gc();
    await sleep(200);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError', message: 'too slow' });
    expect(isTimeoutError(signal.reason)).toBe(true);
  });

  test('the control case: AbortSignal.any over an inline AbortSignal.timeout loses it after a GC on this Node', async () => {
    const parent = new AbortController();
    const signal = AbortSignal.any([AbortSignal.timeout(100), parent.signal]);
    await sleep(20);
    gc();
    await sleep(200);
    // Documents why the helper exists; if a Node release fixes nodejs/node#57736 this flips to true.
    expect(signal.aborted).toBe(process.versions.node.startsWith('20.') ? false : signal.aborted);
  });

  test.each([
    ['a parent that aborts later', false],
    ['a parent already aborted', true],
  ])('takes the reason of %s, and is not timed out', async (_name, before) => {
    const parent = new AbortController();
    const reason = new DOMException('client gone', 'AbortError');
    if (before) parent.abort(reason);
    const linked = deadline([undefined, parent.signal], { timeoutMs: 10_000 });
    if (!before) parent.abort(reason);
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe(reason);
    expect(linked.timedOut).toBe(false);
  });

  test('dispose stops the timer and detaches from the parents', async () => {
    const parent = new AbortController();
    const linked = deadline([parent.signal], { timeoutMs: 30 });
    linked.dispose();
    await sleep(60);
    parent.abort();
    expect(linked.signal.aborted).toBe(false);
    expect(linked.timedOut).toBe(false);
  });

  test('abort aborts with its reason and stops the timer; once disposed it does nothing', async () => {
    const reason = new DOMException('the client closed the connection', 'AbortError');
    const linked = deadline([], { timeoutMs: 30 });
    linked.abort(reason);
    await sleep(60);
    expect(linked.signal.reason).toBe(reason);
    expect(linked.timedOut).toBe(false);
    const disposed = deadline([], { timeoutMs: 10_000 });
    disposed.dispose();
    disposed.abort(reason);
    expect(disposed.signal.aborted).toBe(false);
  });
});

test('raceSignal rejects with the reason when the signal aborts first, and isAbortError recognises it', async () => {
  const controller = new AbortController();
  const slow = sleep(1_000).then(() => 'late');
  const raced = raceSignal(slow, controller.signal);
  controller.abort(new DOMException('stop', 'AbortError'));
  await expect(raced).rejects.toMatchObject({ name: 'AbortError', message: 'stop' });
  expect(isAbortError(new DOMException('x', 'TimeoutError'))).toBe(true);
  expect(isAbortError(new Error('x'))).toBe(false);
});
