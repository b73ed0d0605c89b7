// The useCache verdict cache: what is part of the key, TTL and size bounds.
import { expect, it } from 'vitest';
import { AttestorVerdictCache, type CompiledKyvernoPolicy, type ImageVerification } from '../../src/policy/index.js';
import { policiesOf, seedText } from './support.js';

const policy = policiesOf(seedText('004-check-image-notary.yaml'))[0] as CompiledKyvernoPolicy;
const verification = policy.rules[0]?.verifyImages[0] as ImageVerification;
const pinned = { registry: '127.0.0.1:5000', repository: 'kyverno/test-verify-image', digest: `sha256:${'a'.repeat(64)}`, insecure: false } as never;
const base = { policy, rule: 'verify-signature-notary', image: 'ghcr.io/kyverno/test-verify-image:signed', pinned, verification, mirrors: { 'ghcr.io': '127.0.0.1:5000' }, allowInsecure: false };

it('the key changes with the digest, the compiled entry, the image, the mirrors and the policy', () => {
  const key = AttestorVerdictCache.key(base);
  const others = [
    { ...base, pinned: { ...(pinned as object), digest: `sha256:${'b'.repeat(64)}` } as never },
    { ...base, verification: { ...verification, attestors: [] } },
    { ...base, image: 'ghcr.io/kyverno/test-verify-image:other' },
    { ...base, mirrors: { 'ghcr.io': '127.0.0.1:5001' } },
    { ...base, policy: { ...policy, name: 'other' } },
  ].map((changed) => AttestorVerdictCache.key(changed));
  expect(new Set([key, ...others]).size).toBe(6);
});

it('a pass is held for the TTL only, the least recently used goes first beyond the bound', () => {
  let now = 0;
  const cache = new AttestorVerdictCache({ ttlMs: 1000, maxEntries: 2, now: () => now });
  cache.recordPass('a');
  cache.recordPass('b');
  expect(cache.passed('a')).toBe(true);
  cache.recordPass('c');
  expect([cache.passed('b'), cache.passed('a'), cache.passed('c')]).toEqual([false, true, true]);
  now = 1000;
  expect(cache.passed('a')).toBe(false);
  expect(cache.size).toBe(1);
  expect([cache.hits, cache.misses]).toEqual([3, 2]);
});

it('a TTL beyond a day is clamped; a zero TTL caches nothing', () => {
  let now = 0;
  const long = new AttestorVerdictCache({ ttlMs: Number.MAX_SAFE_INTEGER, now: () => now });
  long.recordPass('a');
  now = 24 * 60 * 60 * 1000;
  expect(long.passed('a')).toBe(false);
  const none = new AttestorVerdictCache({ ttlMs: 0 });
  none.recordPass('a');
  expect(none.passed('a')).toBe(false);
});
