// `npm run bench`: the /checkimages benchmark. Prints one JSON object on stdout and writes it to
// bench/results/latest.json; progress goes to stderr. Flags: see USAGE.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runBenchmark, type BenchOptions } from './lib/run.js';
import { runWan } from './lib/wan.js';

const USAGE = `usage: node dist/bench/checkimages.js [options]
  --counts 1,10,50        images per /checkimages request
  --iterations-scale X    multiply the default cold iterations (1 image: 200, 10: 80, 50: 30)
  --warm-seconds N        autocannon duration per warm and bare measurement (default 5)
  --connections N         autocannon connections (default 4)
  --memory-images N       distinct images in the memory run (default 300; cacheMaxSize 100)
  --shared-images N       distinct images in the 1 vs 2 processes shared-cache run (default 200; needs redis-server)
  --no-shared-cache       skip the shared-cache run
  --profile DIR           run the service with --cpu-prof, profiles written to DIR
  --out FILE              where the JSON goes (default bench/results/latest.json)
  --quick                 a short run to try the bench (results not comparable)
WAN mode (instead of the loopback run; default output bench/results/wan.json):
  --rtt-ms 20,80          round-trip times the delay proxy adds between the service (and the floor) and the registry
  --repeats N             measured iterations per cell (default 15, after 2 discarded)
  --many N                images of the large request (default 50)
  --idle-gap-s N          idle gap before the "first request after an idle gap" cell (default 60)`;

const DEFAULT_WAN_REPEATS = 15;
const DEFAULT_WAN_WARMUP = 2;
const DEFAULT_WAN_MANY = 50;
const DEFAULT_IDLE_GAP_S = 60;

/** Measured cold iterations per image count: fewer for large requests, which are slower and vary less. */
const DEFAULT_COLD_ITERATIONS: Record<number, number> = { 1: 200, 10: 80, 50: 30 };
const DEFAULT_COLD_WARMUP = 10;
const DEFAULT_WARM_SECONDS = 5;
const DEFAULT_WARM_WARMUP_SECONDS = 1;
const DEFAULT_CONNECTIONS = 4;
const DEFAULT_MEMORY_IMAGES = 300;
const MEMORY_CACHE_MAX_SIZE = 100;
const MEMORY_IMAGES_PER_REQUEST = 10;
/** The memory run goes through its images twice: evicted verdicts are verified and cached again. */
const MEMORY_PASSES = 2;
/** Shared cache run: images verified once across the fleet (cold), in requests of this many. */
const DEFAULT_SHARED_IMAGES = 200;
const SHARED_IMAGES_PER_REQUEST = 10;

function positiveNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${text}"\n${USAGE}`);
  return value;
}

function coldIterations(scale: number): (images: number) => number {
  return (images) => {
    const base = DEFAULT_COLD_ITERATIONS[images] ?? Math.max(20, Math.round(2000 / Math.max(images, 10)));
    return Math.max(1, Math.round(base * scale));
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      counts: { type: 'string' },
      'iterations-scale': { type: 'string' },
      'warm-seconds': { type: 'string' },
      connections: { type: 'string' },
      'memory-images': { type: 'string' },
      'shared-images': { type: 'string' },
      'no-shared-cache': { type: 'boolean', default: false },
      profile: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'rtt-ms': { type: 'string' },
      repeats: { type: 'string' },
      many: { type: 'string' },
      'idle-gap-s': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const quick = values.quick ?? false;
  const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  if (values['rtt-ms'] !== undefined) {
    const rttMs = values['rtt-ms'].split(',').map((part) => positiveNumber('rtt-ms', part.trim(), 1));
    const result = await runWan({
      rttMs,
      repeats: Math.round(positiveNumber('repeats', values.repeats, quick ? 3 : DEFAULT_WAN_REPEATS)),
      warmup: quick ? 1 : DEFAULT_WAN_WARMUP,
      manyImages: Math.round(positiveNumber('many', values.many, DEFAULT_WAN_MANY)),
      idleGapSeconds: positiveNumber('idle-gap-s', values['idle-gap-s'], quick ? 5 : DEFAULT_IDLE_GAP_S),
      log,
    });
    await writeResult(values.out ?? join(repositoryRoot, 'bench', 'results', 'wan.json'), result, log);
    return;
  }
  const counts = (values.counts ?? '1,10,50').split(',').map((part) => positiveNumber('counts', part.trim(), 1));
  if (counts.some((count) => !Number.isInteger(count) || count > 100)) throw new Error('--counts: whole numbers up to 100 (the service\'s image limit per request)');
  const out = values.out ?? join(repositoryRoot, 'bench', 'results', 'latest.json');
  const memoryImages = positiveNumber('memory-images', values['memory-images'], quick ? MEMORY_CACHE_MAX_SIZE + 20 : DEFAULT_MEMORY_IMAGES);
  const sharedImages = positiveNumber('shared-images', values['shared-images'], quick ? 40 : DEFAULT_SHARED_IMAGES);
  if (sharedImages > memoryImages) throw new Error(`--shared-images (${sharedImages}) cannot exceed --memory-images (${memoryImages}): the run reuses those images`);
  const warmSeconds = positiveNumber('warm-seconds', values['warm-seconds'], quick ? 1 : DEFAULT_WARM_SECONDS);
  const connections = positiveNumber('connections', values.connections, DEFAULT_CONNECTIONS);
  const options: BenchOptions = {
    imageCounts: counts,
    coldIterations: coldIterations(positiveNumber('iterations-scale', values['iterations-scale'], quick ? 0.1 : 1)),
    coldWarmupIterations: quick ? 3 : DEFAULT_COLD_WARMUP,
    warmDurationSeconds: warmSeconds,
    warmWarmupSeconds: quick ? 0 : DEFAULT_WARM_WARMUP_SECONDS,
    warmConnections: connections,
    memory: {
      cacheMaxSize: MEMORY_CACHE_MAX_SIZE,
      images: memoryImages,
      imagesPerRequest: MEMORY_IMAGES_PER_REQUEST,
      passes: quick ? 1 : MEMORY_PASSES,
    },
    ...(values['no-shared-cache']
      ? {}
      : {
          sharedCache: {
            images: sharedImages,
            imagesPerRequest: SHARED_IMAGES_PER_REQUEST,
            connections,
            warmDurationSeconds: warmSeconds,
            warmWarmupSeconds: quick ? 0 : DEFAULT_WARM_WARMUP_SECONDS,
          },
        }),
    inline: false,
    childNodeOptions: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : [],
    log,
  };
  await writeResult(out, await runBenchmark(options), log);
}

async function writeResult(out: string, result: object, log: (line: string) => void): Promise<void> {
  const json = JSON.stringify(result, null, 2);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${json}\n`);
  process.stdout.write(`${json}\n`);
  log(`written to ${out}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
