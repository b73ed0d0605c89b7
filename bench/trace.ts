// `node dist/bench/trace.js [--rtt-ms 80] [--repeats 3]`: where a single image's time goes at a distance. The service
// (cache off) and the bare floor each verify one image by tag and by digest through the delay proxy; for each run it
// prints the proxy's timeline (request lines and answers, ms from the start) and the service's CPU per request, so
// an exchange the floor does not make, or time spent between exchanges, shows.
import { parseArgs } from 'node:util';
import { DEMO_TRUST_POLICY, kyvernoImagesRequest, type DemoImage } from '../src/demo/index.js';
import { createBenchFixture } from './lib/fixtures.js';
import { DelayProxyProcess, type DelayProxyEvent } from './lib/delay-proxy.js';
import { Floor, subjectRdns } from './lib/floor.js';
import { SequentialClient } from './lib/load.js';
import { DEMO_SIGNER_SUBJECT } from '../src/demo/index.js';
import { startChildTarget } from './lib/target.js';

function body(image: DemoImage, byDigest: boolean): string {
  const request = kyvernoImagesRequest([{ name: 'c0', image }], DEMO_TRUST_POLICY) as { images: { containers: Record<string, Record<string, string>> } };
  if (byDigest) {
    for (const entry of Object.values(request.images.containers)) {
      entry.tag = '';
      entry.digest = image.digest;
      entry.reference = `${image.registry}/${image.repository}@${image.digest}`;
      entry.referenceWithTag = entry.reference;
    }
  }
  return JSON.stringify(request);
}

function print(what: string, started: number, ms: number, events: DelayProxyEvent[]): void {
  process.stdout.write(`${what}: ${ms.toFixed(1)} ms\n`);
  for (const event of events) process.stdout.write(`  ${(event.at - started).toFixed(1).padStart(7)}  #${event.connection}  ${event.what}\n`);
}

const { values } = parseArgs({ options: { 'rtt-ms': { type: 'string', default: '80' }, repeats: { type: 'string', default: '3' } } });
const rtt = Number(values['rtt-ms']);
const fixture = await createBenchFixture({ images: 1, memoryImages: 0 });
const url = new URL(fixture.environment.registry.url);
const proxy = await DelayProxyProcess.start({ host: url.hostname, port: Number(url.port) }, rtt);
const image = { ...(fixture.images[0] as DemoImage) };
Object.assign(image, { registry: proxy.host, reference: `${proxy.host}/${image.repository}:${image.tag}` });
const service = await startChildTarget({ kind: 'service', configDir: fixture.environment.configDir, cacheEnabled: false });
const client = new SequentialClient(service.url);
const floor = new Floor({ registryUrl: `http://${proxy.host}`, trustAnchorDer: fixture.rootDer, trustedSubject: subjectRdns(DEMO_SIGNER_SUBJECT), concurrency: 1, connections: 4 });
// `performance.now` of the proxy's process is not ours: events are shown relative to the first one of each run.
const relative = (events: DelayProxyEvent[]) => events[0]?.at ?? 0;
try {
  for (let i = 0; i < Number(values.repeats) + 1; i++) {
    for (const byDigest of [false, true]) {
      await proxy.timeline();
      const cpuBefore = (await service.stats()).cpuMs;
      const res = await client.post(body(image, byDigest));
      if (res.status !== 200) throw new Error(`service answered ${res.status}: ${res.body}`);
      const cpu = (await service.stats()).cpuMs - cpuBefore;
      const events = await proxy.timeline();
      if (i > 0) print(`service by ${byDigest ? 'digest' : 'tag'} (cpu ${cpu.toFixed(1)} ms)`, relative(events), res.ms, events);
      await proxy.timeline();
      const started = performance.now();
      await floor.verifyImage(image, byDigest);
      const floorMs = performance.now() - started;
      const floorEvents = await proxy.timeline();
      if (i > 0) print(`floor by ${byDigest ? 'digest' : 'tag'}`, relative(floorEvents), floorMs, floorEvents);
    }
  }
} finally {
  await client.close();
  await service.close();
  await floor.close();
  await proxy.close();
  await fixture.close();
}
