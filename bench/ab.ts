// `node dist/bench/ab.js --a DIR --b DIR [--images N] [--blocks K] [--per M] [--cold]`: the CPU per /checkimages request of
// two builds of imgverify (each DIR a checkout built with `npm run build`, e.g. `git archive` of a commit into /tmp) on
// one fixture, in alternating blocks of M requests (A B, B A, ...), so a neighbour's load falls on both about
// equally. Reports each build's median and minimum µs per request and the median of the per-block-pair ratios B/A,
// the number to compare cuts by on a shared machine, where whole-run CPU per request varies by ±20 %.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { checkImagesBody, createBenchFixture } from './lib/fixtures.js';
import { SequentialClient } from './lib/load.js';
import type { startChildTarget, Target } from './lib/target.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    images: { type: 'string', default: '1' },
    blocks: { type: 'string', default: '20' },
    per: { type: 'string', default: '200' },
    cold: { type: 'boolean', default: false },
  },
});
if (!values.a || !values.b) throw new Error('usage: node dist/bench/ab.js --a DIR --b DIR [--images N] [--blocks K] [--per M] [--cold]');
const images = Number(values.images);
const blocks = Number(values.blocks);
const per = Number(values.per);
/** Requests each side answers before the blocks (its cache filled, its code optimised). */
const WARMUP = 200;

interface Side {
  name: string;
  target: Target;
  client: SequentialClient;
  /** µs of CPU per request, one per block. */
  samples: number[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const fixture = await createBenchFixture({ images, memoryImages: 0 });
const body = checkImagesBody(fixture.images.slice(0, images));
const sides: Side[] = [];
try {
  for (const [name, dir] of [['a', values.a], ['b', values.b]] as const) {
    // Each build's own target module, so each child runs that build's service.
    const module = (await import(pathToFileURL(resolve(dir, 'dist/bench/lib/target.js')).href)) as { startChildTarget: typeof startChildTarget };
    const target = await module.startChildTarget({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: !values.cold });
    const client = new SequentialClient(target.url);
    sides.push({ name, target, client, samples: [] });
    for (let i = 0; i < WARMUP; i++) await client.post(body);
  }
  for (let block = 0; block < blocks; block++) {
    for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
      const before = (await side.target.stats()).cpuMs;
      for (let i = 0; i < per; i++) {
        const res = await side.client.post(body);
        if (res.status !== 200) throw new Error(`${side.name} answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
      side.samples.push((((await side.target.stats()).cpuMs - before) * 1000) / per);
    }
  }
  const [a, b] = sides as [Side, Side];
  const ratios = a.samples.map((x, i) => (b.samples[i] ?? NaN) / x);
  const summary = (side: Side) => ({ median_us: Math.round(median(side.samples)), min_us: Math.round(Math.min(...side.samples)) });
  const result = { benchmark: 'checkimages-ab', mode: values.cold ? 'cold' : 'warm', images, blocks, per, a: { dir: values.a, ...summary(a) }, b: { dir: values.b, ...summary(b) }, median_ratio_b_over_a: Math.round(median(ratios) * 1000) / 1000 };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await Promise.all(sides.map((side) => side.client.close()));
  await Promise.all(sides.map((side) => side.target.close()));
  await fixture.close();
}
