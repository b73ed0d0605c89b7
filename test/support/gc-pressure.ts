// Loaded before each test/reliability file (vitest project 'reliability'): --expose-gc, then a major collection
// every GC_INTERVAL_MS while the file runs, so the service's deadlines and timeouts are exercised with the
// Node 20 trap armed (AbortSignal.any / AbortSignal.timeout lose their weakly held listeners after a GC and
// never abort); the suites assert their answers on time all the same.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll } from 'vitest';

/**
 * Every wait of the suite (deadlines of 1-3 s) sees one or more collections. A major GC of a test worker takes
 * ~200 ms on a loaded 2-core machine: every 250 ms measured as 80% of the time in GC and deadlines missed for
 * that reason alone. RELIABILITY_GC_MS sets another interval; 0 turns it off (to tell a GC effect from load).
 */
const GC_INTERVAL_MS = Number(process.env.RELIABILITY_GC_MS ?? 1000);

// The flag can be set at run time (vitest's fork pool ignores a project's execArgv); a fresh context then has `gc`.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options: { type: 'major'; execution: 'async' }) => Promise<void>;

let timer: NodeJS.Timeout | undefined;

beforeAll(() => {
  if (GC_INTERVAL_MS <= 0) return;
  // Incremental marking on the main thread: the collection interleaves with the requests under test.
  timer = setInterval(() => void gc({ type: 'major', execution: 'async' }), GC_INTERVAL_MS);
  timer.unref();
});

afterAll(() => clearInterval(timer));
