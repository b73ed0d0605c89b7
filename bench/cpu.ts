// `node dist/bench/cpu.js [--profile DIR] [--repeats N] [--out FILE]`: CPU time per /checkimages request on loopback, the robust
// number on a loaded machine (wall-clock ratios are not): the service cold (cache off) and warm (cache on), the bare
// handler that only resolves the tags (or only answers), and the floor client (bench/lib/floor.ts, in this process),
// for 1 and 50 images, one request at a time, in N rounds (medians reported). With --profile, the service children write V8 CPU profiles to DIR (one per
// process: cold, warm) for bench/profile-summary.ts. Prints one JSON object.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SIGNER_SUBJECT, type DemoImage } from '../src/demo/index.js';
import { checkImagesBody, checkImagesBodyByDigest, createBenchFixture } from './lib/fixtures.js';
import { Floor, subjectRdns } from './lib/floor.js';
import { SequentialClient } from './lib/load.js';
import { percentile, round } from './lib/stats.js';
import { startChildTarget, type Target } from './lib/target.js';

const USAGE = 'usage: node dist/bench/cpu.js [--repeats N] [--profile DIR] [--out FILE]';
function options() {
  try {
    return parseArgs({ options: { profile: { type: 'string' }, repeats: { type: 'string', default: '1' }, out: { type: 'string' }, help: { type: 'boolean', default: false } } }).values;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exit(2);
  }
}
const values = options();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const scale = Number(values.repeats);
const profile = values.profile ? resolve(values.profile) : undefined;
if (profile) await mkdir(profile, { recursive: true });
const nodeOptions = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
/** Requests per cell (times --repeats): more for the cheap ones, so each cell runs about as long. */
const REQUESTS = { cold1: 100, cold50: 8, warm1: 400, warm50: 40 };
/**
 * Images verified before a cell is measured, by the service and the floor alike: a long-running service is measured
 * in its steady state, after the JIT has compiled the path (3 requests, as before, left 50-image cells half-compiled).
 */
const WARMUP_IMAGES = 500;
const warmupRequests = (images: readonly DemoImage[]): number => Math.max(3, Math.ceil(WARMUP_IMAGES / images.length));

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const fixture = await createBenchFixture({ images: 50, memoryImages: 0 });
const one = fixture.images.slice(0, 1);
const many = fixture.images.slice(0, 50);
const targets: Target[] = [];
const clients: SequentialClient[] = [];
const floor = new Floor({ registryUrl: fixture.environment.registry.url, trustAnchorDer: fixture.rootDer, trustedSubject: subjectRdns(DEMO_SIGNER_SUBJECT), concurrency: 50, connections: 50 });
try {
  const start = async (spec: Parameters<typeof startChildTarget>[0], options: readonly string[] = []) => {
    const target = await startChildTarget(spec, options);
    targets.push(target);
    const client = new SequentialClient(target.url);
    clients.push(client);
    return { target, client };
  };
  const cold = await start({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: false }, nodeOptions);
  const warm = await start({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: true }, nodeOptions);
  const bare = await start({ kind: 'bare', registryUrl: fixture.environment.registry.url, concurrency: 50 });
  /** CPU ms per request of `target` over `count` requests of `images` (after warmupRequests discarded ones). */
  const perRequest = async ({ target, client }: { target: Target; client: SequentialClient }, images: readonly DemoImage[], count: number, body = checkImagesBody(images)): Promise<number> => {
    for (let i = 0; i < warmupRequests(images); i++) await client.post(body);
    const before = (await target.stats()).cpuMs;
    for (let i = 0; i < count; i++) {
      const res = await client.post(body);
      if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
    return round(((await target.stats()).cpuMs - before) / count, 2);
  };
  const floorPerRequest = async (images: readonly DemoImage[], count: number): Promise<number> => {
    for (let i = 0; i < warmupRequests(images); i++) await floor.verifyRequest(images);
    const before = cpuMs();
    for (let i = 0; i < count; i++) await floor.verifyRequest(images);
    return round((cpuMs() - before) / count, 2);
  };
  const configureBare = (images: readonly DemoImage[]) =>
    bare.target.configure({ body: '{"ok":true}', resolve: images.map((image) => ({ repository: image.repository, tag: image.tag })) });
  const configureHttpOnly = () => bare.target.configure({ body: '{"ok":true}' });
  // Rounds (--repeats): every cell once per round, so a drift of the machine reaches every cell alike; each number
  // is the median over the rounds, each ratio the median of the rounds' ratios.
  const rounds: Record<string, number>[] = [];
  for (let round = 0; round < scale; round++) {
    const cells: Record<string, number> = {};
    for (const [name, images, count] of [['1', one, REQUESTS.cold1], ['50', many, REQUESTS.cold50]] as const) {
      cells[`cold_${name}_cpu_ms`] = await perRequest(cold, images, count);
      cells[`floor_${name}_cpu_ms`] = await floorPerRequest(images, count);
      // The floor receives no HTTP request: the bare handler answering the same body without resolving is that part.
      await configureHttpOnly();
      cells[`bare_http_${name}_cpu_ms`] = await perRequest(bare, images, count);
    }
    for (const [name, images, count] of [['1', one, REQUESTS.warm1], ['50', many, REQUESTS.warm50]] as const) {
      cells[`warm_${name}_cpu_ms`] = await perRequest(warm, images, count);
      // By digest a warm request asks the registry nothing: the service's own cost per request, set beside the bare HTTP handler's.
      cells[`warm_digest_${name}_cpu_ms`] = await perRequest(warm, images, count, checkImagesBodyByDigest(images));
      await configureBare(images);
      cells[`bare_resolve_${name}_cpu_ms`] = await perRequest(bare, images, count);
    }
    for (const name of ['1', '50']) {
      const cell = (key: string): number => cells[`${key}_${name}_cpu_ms`] ?? Number.NaN;
      cells[`cold_over_floor_${name}`] = cell('cold') / cell('floor');
      cells[`cold_over_floor_plus_http_${name}`] = cell('cold') / (cell('floor') + cell('bare_http'));
      cells[`warm_over_bare_${name}`] = cell('warm') / cell('bare_resolve');
      // The warm gap split in two: the service without the registry (by digest) against the bare handler without it,
      // and what resolving the tags adds to each (warm − warm by digest against bare + resolve − bare HTTP).
      cells[`warm_digest_over_bare_http_${name}`] = cell('warm_digest') / cell('bare_http');
      cells[`resolve_over_bare_resolve_${name}`] = (cell('warm') - cell('warm_digest')) / (cell('bare_resolve') - cell('bare_http'));
    }
    rounds.push(cells);
  }
  const result: Record<string, number | string> = { benchmark: 'checkimages-cpu', date: new Date().toISOString(), node: process.version, rounds: scale };
  for (const key of Object.keys(rounds[0] ?? {})) result[key] = round(percentile(rounds.map((cells) => cells[key] ?? Number.NaN), 50), 2);
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(`${json}\n`);
  if (values.out) await writeFile(values.out, `${json}\n`);
} finally {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(targets.map((target) => target.close()));
  await floor.close();
  await fixture.close();
}
