// Service metrics: counts recorded on the warm path reach every reader (scrape text, get()) exactly once.
import { expect, test } from 'vitest';
import { ServiceMetrics } from '../../src/service/metrics.js';

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

test('verifications, cache hits and misses, registry requests: each count reaches the scrape once, labels as given', async () => {
  const metrics = new ServiceMetrics({ cacheSize: () => 0, defaultMetrics: false });
  for (let i = 0; i < 3; i++) metrics.recordVerification('verified', undefined);
  metrics.recordVerification('not_verified', 'SIGNATURE_NOT_FOUND');
  metrics.recordCacheHit();
  metrics.recordCacheHit();
  metrics.recordCacheMiss();
  for (let i = 0; i < 2; i++) metrics.recordRegistryOperation({ registry: 'ghcr.io', operation: 'resolve', outcome: 'ok', durationMs: 3 });
  metrics.recordRegistryOperation({ registry: 'other', operation: 'resolve', outcome: 'NOT_FOUND', durationMs: 1 });
  const first = await metrics.registry.metrics();
  expect(line(first, 'imgverify_verifications_total{result="verified",code=""}')).toBe('imgverify_verifications_total{result="verified",code=""} 3');
  expect(line(first, 'imgverify_verifications_total{result="not_verified"')).toBe('imgverify_verifications_total{result="not_verified",code="SIGNATURE_NOT_FOUND"} 1');
  expect(line(first, 'imgverify_cache_hits_total ')).toBe('imgverify_cache_hits_total 2');
  expect(line(first, 'imgverify_cache_misses_total ')).toBe('imgverify_cache_misses_total 1');
  expect(line(first, 'imgverify_registry_requests_total{registry="ghcr.io"')).toBe('imgverify_registry_requests_total{registry="ghcr.io",operation="resolve",outcome="ok"} 2');
  expect(line(first, 'imgverify_registry_requests_total{registry="other"')).toBe('imgverify_registry_requests_total{registry="other",operation="resolve",outcome="NOT_FOUND"} 1');
  // Read again after one more count: added once, nothing counted twice.
  metrics.recordCacheHit();
  expect(line(await metrics.registry.metrics(), 'imgverify_cache_hits_total ')).toBe('imgverify_cache_hits_total 3');
  expect((await metrics.verifications.get()).values.map((v) => v.value).sort()).toEqual([1, 3]);
});
