// Smoke test of the benchmark library: one image, one iteration, servers inline; the numbers are not
// meaningful, only that every reported field is there and positive (the real run is `npm run bench`).
import { describe, expect, it } from 'vitest';
import { runBenchmark, type ImageCountResult } from '../../bench/lib/run.js';

const REQUIRED_FIELDS: (keyof ImageCountResult)[] = [
  'cold_p50_ms',
  'cold_p95_ms',
  'floor_p50_ms',
  'floor_p95_ms',
  'cold_over_floor',
  'warm_p50_ms',
  'warm_p99_ms',
  'warm_rps',
  'bare_rps',
  'warm_over_bare',
  'bare_resolve_rps',
  'warm_over_bare_resolve',
];

describe('checkimages benchmark (smoke)', () => {
  it('reports every field as a positive number and a bounded cache', async () => {
    const result = await runBenchmark({
      imageCounts: [1],
      coldIterations: () => 1,
      coldWarmupIterations: 0,
      warmDurationSeconds: 0.2,
      warmWarmupSeconds: 0,
      warmConnections: 1,
      memory: { cacheMaxSize: 2, images: 3, imagesPerRequest: 1, passes: 1 },
      sharedCache: { images: 2, imagesPerRequest: 1, connections: 2, warmDurationSeconds: 0.2, warmWarmupSeconds: 0 },
      inline: true,
      childNodeOptions: [],
      log: () => undefined,
    });
    const one = result.by_image_count['1'];
    expect(one).toBeDefined();
    for (const field of REQUIRED_FIELDS) {
      expect(typeof one?.[field], field).toBe('number');
      expect(one?.[field] as number, field).toBeGreaterThan(0);
    }
    expect(one?.service_registry_ops_per_image).toBe(4);
    expect(one?.warm_registry_ops_per_image).toBe(1);
    expect(one?.warm_failures).toBe(0);
    expect(result.registry).toMatch(/docker-registry|distribution/);
    expect(result.memory).toMatchObject({ cache_max_size: 2, distinct_images: 3, cache_size_after: 2, cache_bounded: true });
    expect(result.memory.heap_used_mb_end).toBeGreaterThan(0);
    // Two processes sharing Redis: the warm run verifies nothing (every verdict came through Redis).
    expect(result.shared_cache).toMatchObject({ images: 2, one_process: { processes: 1, failures: 0, warm_verifications: 0 }, two_processes: { processes: 2, failures: 0, warm_verifications: 0 } });
    for (const row of [result.shared_cache?.one_process, result.shared_cache?.two_processes]) {
      expect(row?.cold_images_per_s).toBeGreaterThan(0);
      expect(row?.warm_rps).toBeGreaterThan(0);
    }
    expect(result.shared_cache?.warm_ratio).toBeGreaterThan(0);
  });
});
