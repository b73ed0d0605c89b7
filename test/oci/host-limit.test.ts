// Requests in flight per registry host (issue 19): up to the bound and never beyond, halved by a 429 and grown back;
// one Referrers API probe per registry however many images a fresh client lists at once. Real docker-registry
// behind the fault proxy, which counts the exchanges it answers at the same time.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HostLimit, pushImage, RegistryClient, type Descriptor } from '../../src/oci/index.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

const IMAGES = 12;
/** Every answer this late: requests overlap for as long as the client lets them. */
const DELAY_MS = 40;

let registry: RegistryServer;
let proxy: FaultProxy;
const images: Descriptor[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  const pusher = new RegistryClient({ plainHttpForLocalhost: true });
  for (let i = 0; i < IMAGES; i++) {
    const repository = i % 2 === 0 ? 'team/even' : 'team/odd';
    images.push((await pushImage(pusher.repository(registry.host, repository), { tag: `t${i}`, layers: [new TextEncoder().encode(`image ${i}`)] })).descriptor);
  }
  await pusher.close();
  proxy = await FaultProxy.start(registry.url);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await registry?.stop();
});

const repositoryOf = (i: number) => (i % 2 === 0 ? 'team/even' : 'team/odd');

describe('HostLimit', () => {
  test('grants up to the bound in arrival order, halves once per round of 429s, grows back by one per bound of answers', async () => {
    const limit = new HostLimit(4);
    const slots = await Promise.all([0, 1, 2, 3].map(() => limit.acquire()));
    const order: number[] = [];
    const waiting = [4, 5].map((n) => limit.acquire().then((slot) => (order.push(n), slot)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(limit.active).toBe(4);
    expect(order).toEqual([]);
    // Two 429s to requests sent in the same round halve the bound once, not twice.
    slots[0]!.throttled();
    slots[1]!.throttled();
    expect(limit.limit).toBe(2);
    for (const slot of slots) slot.release();
    const next = await Promise.all(waiting);
    expect(order).toEqual([4, 5]);
    expect(limit.active).toBe(2);
    // 2 → 3 takes 2 answers, 3 → 4 three more; never above the maximum.
    next[0]!.release();
    next[1]!.release();
    expect(limit.limit).toBe(3);
    for (let i = 0; i < 10; i++) (await limit.acquire()).release();
    expect(limit.limit).toBe(4);
  });

  test('a waiter whose signal aborts leaves the queue and takes no slot', async () => {
    const limit = new HostLimit(1);
    const held = await limit.acquire();
    const controller = new AbortController();
    const waiting = limit.acquire(controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    held.release();
    expect(limit.active).toBe(0);
  });
});

describe('through a registry client', () => {
  test(`${IMAGES} resolves at once with a bound of 4: the registry sees exactly 4 in flight, never more`, async () => {
    const client = new RegistryClient({ plainHttpForLocalhost: true, maxRequestsPerRegistry: 4 });
    const rule = proxy.add({ method: 'HEAD', path: /\/manifests\/t\d+$/, fault: { kind: 'delay', ms: DELAY_MS } });
    try {
      proxy.resetMaxOpenExchanges();
      const resolved = await Promise.all(images.map((_, i) => client.repository(proxy.host, repositoryOf(i)).resolve(`t${i}`)));
      expect(resolved.map((d) => d.digest)).toEqual(images.map((d) => d.digest));
      expect(rule.hits).toBe(IMAGES);
      expect(proxy.maxOpenExchanges).toBe(4);
    } finally {
      proxy.clearRules();
      await client.close();
    }
  });

  test('a 429 halves the bound for that registry (the next burst sees 4–5 of 8 in flight); answers grow it back', async () => {
    const client = new RegistryClient({ plainHttpForLocalhost: true, maxRequestsPerRegistry: 8, retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1000 } });
    try {
      proxy.add({ method: 'HEAD', path: /\/manifests\/t0$/, fault: { kind: 'status', status: 429, retryAfter: '0' }, times: 1 });
      expect((await client.repository(proxy.host, 'team/even').resolve('t0')).digest).toBe(images[0]!.digest);
      expect(proxy.injected['429']).toBeGreaterThanOrEqual(1);
      expect(client.hostLimit(proxy.host).limit).toBe(4);
      proxy.clearRules();
      proxy.add({ method: 'HEAD', path: /\/manifests\/t\d+$/, fault: { kind: 'delay', ms: DELAY_MS } });
      proxy.resetMaxOpenExchanges();
      await Promise.all(images.map((_, i) => client.repository(proxy.host, repositoryOf(i)).resolve(`t${i}`)));
      // 4 at first; the first 4 answers raise the bound to 5 while the burst is still going.
      expect(proxy.maxOpenExchanges).toBeGreaterThanOrEqual(4);
      expect(proxy.maxOpenExchanges).toBeLessThanOrEqual(5);
      proxy.clearRules();
      // Back to 8 after 4 + 5 + 6 + 7 answers (the burst gave 12 of them).
      for (let i = 0; i < 10; i++) await client.repository(proxy.host, 'team/even').resolve('t0');
      expect(client.hostLimit(proxy.host).limit).toBe(8);
    } finally {
      proxy.clearRules();
      await client.close();
    }
  });

  test('50 concurrent listings of a fresh client over two repositories make one Referrers API probe', async () => {
    const client = new RegistryClient({ plainHttpForLocalhost: true });
    const probes = proxy.add({ method: 'GET', path: /\/referrers\//, fault: { kind: 'delay', ms: DELAY_MS } });
    try {
      const listings = await Promise.all(
        Array.from({ length: 50 }, (_, n) => client.repository(proxy.host, repositoryOf(n % IMAGES)).referrers(images[n % IMAGES]!)),
      );
      // docker-registry 2.8 has no Referrers API: one 404, then the tag schema for everyone (nothing signed here).
      expect(listings.every((list) => list.length === 0)).toBe(true);
      expect(probes.hits).toBe(1);
      expect(client.repository(proxy.host, 'team/odd').referrersApiSupport).toBe('unsupported');
    } finally {
      proxy.clearRules();
      await client.close();
    }
  });
});
