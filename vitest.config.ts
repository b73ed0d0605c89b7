// Test runner configuration: tests mirror src/ under test/, real servers started per file. test/reliability
// is its own project: --expose-gc and a collection every second while its files run (test/support/gc-pressure.ts).
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

const RELIABILITY = 'test/reliability/**/*.test.ts';

export default defineConfig({
  test: {
    // Before every test file: reflect-metadata, which @peculiar/x509 needs before it loads.
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One file per core and one more: most files wait on registries, servers and deadlines rather than the CPU
    // (vitest's default, cores − 1, runs one file at a time on a 2-core CI machine).
    maxWorkers: availableParallelism() + 1,
    minWorkers: 1,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, RELIABILITY] } },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: [RELIABILITY],
          setupFiles: ['test/support/gc-pressure.ts'],
        },
      },
    ],
  },
});
