// A fresh registry's warm-up (issue 19): two first requests go at once (an image's HEAD and its signature listing),
// the rest wait for an answer; a first request that fails lets the next waiter go; once answered, nobody waits.
import { expect, test } from 'vitest';
import { WarmUp } from '../../src/oci/index.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('two first requests at once, the third waits; a failure lets one more go, an answer lets everyone go', async () => {
  const warmUp = new WarmUp(2);
  const first = await warmUp.enter();
  const second = await warmUp.enter();
  expect(first).toBeTypeOf('function');
  expect(second).toBeTypeOf('function');
  const admitted: string[] = [];
  const third = warmUp.enter().then((done) => (admitted.push('third'), done));
  const fourth = warmUp.enter().then((done) => (admitted.push('fourth'), done));
  await turn();
  expect(admitted).toEqual([]);
  // A failed first request: one waiter takes its place, still as a first request.
  first!(false);
  await turn();
  expect(admitted).toEqual(['third']);
  expect(await third).toBeTypeOf('function');
  expect(warmUp.warm).toBe(false);
  // An answer: warm, the last waiter goes without being a first request, and so does anyone after.
  second!(true);
  expect(await fourth).toBeUndefined();
  expect(warmUp.warm).toBe(true);
  expect(await warmUp.enter()).toBeUndefined();
});

test('a waiter whose signal aborts stops waiting with its reason and takes no place', async () => {
  const warmUp = new WarmUp(1);
  const first = await warmUp.enter();
  const controller = new AbortController();
  const waiting = warmUp.enter(controller.signal);
  controller.abort(new Error('gave up'));
  await expect(waiting).rejects.toThrow('gave up');
  first!(false);
  expect(await warmUp.enter()).toBeTypeOf('function');
});
