// `node dist/bench/cpu.js [--profile DIR] [--repeats N]`: CPU time per /checkimages request on loopback, the robust
// number on a loaded machine (wall-clock ratios are not): the service cold (cache off) and warm (cache on), the bare
// handler that only resolves the tags, and the floor client (bench/lib/floor.ts, in this process), for 1 and 50
// images, one request at a time. With --profile, the service children write V8 CPU profiles to DIR (one per
// process: cold, warm) for bench/profile-summary.ts. Prints one JSON object.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SIGNER_SUBJECT, type DemoImage } from '../src/demo/index.js';
import { checkImagesBody, createBenchFixture } from './lib/fixtures.js';
import { Floor, subjectRdns } from './lib/floor.js';
import { SequentialClient } from './lib/load.js';
import { round } from './lib/stats.js';
import { startChildTarget, type Target } from './lib/target.js';

const { values } = parseArgs({ options: { profile: { type: 'string' }, repeats: { type: 'string', default: '1' }, out: { type: 'string' } } });
const scale = Number(values.repeats);
const profile = values.profile ? resolve(values.profile) : undefined;
if (profile) await mkdir(profile, { recursive: true });
const nodeOptions = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
/** Requests per cell (times --repeats): more for the cheap ones, so each cell runs about as long. */
const REQUESTS = { cold1: 100, cold50: 8, warm1: 400, warm50: 40 };
const WARMUP = 3;

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
  /** CPU ms per request of `target` over `count` requests of `images` (after WARMUP discarded ones). */
  const perRequest = async ({ target, client }: { target: Target; client: SequentialClient }, images: readonly DemoImage[], count: number): Promise<number> => {
    const body = checkImagesBody(images);
    for (let i = 0; i < WARMUP; i++) await client.post(body);
    const before = (await target.stats()).cpuMs;
    for (let i = 0; i < count; i++) {
      const res = await client.post(body);
      if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
    return round(((await target.stats()).cpuMs - before) / count, 2);
  };
  const floorPerRequest = async (images: readonly DemoImage[], count: number): Promise<number> => {
    for (let i = 0; i < WARMUP; i++) await floor.verifyRequest(images);
    const before = cpuMs();
    for (let i = 0; i < count; i++) await floor.verifyRequest(images);
    return round((cpuMs() - before) / count, 2);
  };
  const configureBare = (images: readonly DemoImage[]) =>
    bare.target.configure({ body: '{"ok":true}', resolve: images.map((image) => ({ repository: image.repository, tag: image.tag })) });
  const result: Record<string, number | string> = { benchmark: 'checkimages-cpu', date: new Date().toISOString(), node: process.version };
  for (const [name, images, count] of [['1', one, REQUESTS.cold1], ['50', many, REQUESTS.cold50]] as const) {
    result[`cold_${name}_cpu_ms`] = await perRequest(cold, images, count * scale);
    result[`floor_${name}_cpu_ms`] = await floorPerRequest(images, count * scale);
  }
  for (const [name, images, count] of [['1', one, REQUESTS.warm1], ['50', many, REQUESTS.warm50]] as const) {
    result[`warm_${name}_cpu_ms`] = await perRequest(warm, images, count * scale);
    await configureBare(images);
    result[`bare_resolve_${name}_cpu_ms`] = await perRequest(bare, images, count * scale);
  }
  result.cold_over_floor_1 = round((result.cold_1_cpu_ms as number) / (result.floor_1_cpu_ms as number), 2);
  result.cold_over_floor_50 = round((result.cold_50_cpu_ms as number) / (result.floor_50_cpu_ms as number), 2);
  result.warm_over_bare_1 = round((result.warm_1_cpu_ms as number) / (result.bare_resolve_1_cpu_ms as number), 2);
  result.warm_over_bare_50 = round((result.warm_50_cpu_ms as number) / (result.bare_resolve_50_cpu_ms as number), 2);
  const json = JSON.stringify(result, null, 2);
  process.stdout.write(`${json}\n`);
  if (values.out) await writeFile(values.out, `${json}\n`);
} finally {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all(targets.map((target) => target.close()));
  await floor.close();
  await fixture.close();
}
