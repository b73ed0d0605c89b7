// `npm run bench` (second part): load on POST /mutate of the admission webhook with verdicts already known, next to a bare fastify
// handler sending the same AdmissionReview; each target in its own process, autocannon here. One JSON object on stdout, also written to
// bench/results/webhook.json (or --out). Flags: --seconds N (default 5), --connections N (default 4), --out FILE.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult } from './lib/load.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const WARMUP_SECONDS = 1;

async function startTarget(mode: 'webhook' | 'bare'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(HERE, 'lib/webhook-target.js'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return { url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, child };
}

async function measure(mode: 'webhook' | 'bare', body: string, seconds: number, connections: number): Promise<LoadResult> {
  const target = await startTarget(mode);
  try {
    await runLoad({ url: target.url, path: '/mutate', body, connections, durationSeconds: WARMUP_SECONDS });
    return await runLoad({ url: target.url, path: '/mutate', body, connections, durationSeconds: seconds });
  } finally {
    target.child.kill('SIGTERM');
  }
}

function summary(result: LoadResult) {
  return { requestsPerSecond: Math.round(result.rps), p50Ms: Number(result.p50Ms.toFixed(3)), p99Ms: Number(result.p99Ms.toFixed(3)), responses: result.responses, failures: result.failures, responseBytes: result.responseBytes };
}

const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' }, out: { type: 'string' } } });
const seconds = Number(values.seconds ?? '5');
const connections = Number(values.connections ?? '4');
const body = await readFile(join(REPO, 'test/fixtures/webhook/pod-create.json'), 'utf8');
process.stderr.write(`webhook bench: POST /mutate (Pod, 2 images, cached verdicts), ${connections} connections, ${seconds} s each\n`);
const webhook = summary(await measure('webhook', body, seconds, connections));
const bare = summary(await measure('bare', body, seconds, connections));
const result = {
  benchmark: 'webhook-mutate',
  node: process.version,
  connections,
  seconds,
  webhook,
  bare,
  throughputRatio: Number((webhook.requestsPerSecond / bare.requestsPerSecond).toFixed(3)),
  p99OverheadMs: Number((webhook.p99Ms - bare.p99Ms).toFixed(3)),
};
const out = values.out ?? join(REPO, 'bench/results/webhook.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
if (webhook.failures > 0 || bare.failures > 0) process.exitCode = 1;
