// `npm run bench:startup`: start-up cost of the CLI per command, as CPU time of the process (user +
// system) and wall time: `--help`, `verify --oci-layout` of notation's e2e layout, and `serve` until it
// listens. Prints one JSON object on stdout (medians and minimums over --runs); progress on stderr.
// With several --bin (e.g. this build and main's) the runs are interleaved, so a loaded machine weighs
// on every build alike, and the JSON has one `commands` object per build under `builds`.
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: node dist/bench/startup.js [--runs N] [--out FILE] [--bin FILE]...
  --runs N     measured runs per command, after one discarded warm-up run (default 7)
  --out FILE   also write the JSON there
  --bin FILE   the CLI entry to measure (default this repository's bin/imgverify.js); repeat to compare builds`;

const HERE = dirname(fileURLToPath(import.meta.url));
/** dist/bench → the repository (bin/, examples/), and ../shared/fixtures beside it. */
const REPOSITORY = resolve(HERE, '..', '..');
const BIN = join(REPOSITORY, 'bin', 'imgverify.js');
const PROBE = join(HERE, 'lib', 'cpu-probe.js');
const NOTATION_E2E = resolve(REPOSITORY, '..', 'shared', 'fixtures', 'notary', 'notation-e2e');
/** The signed image of notation's e2e layout (oci_layout/e2e-valid-signature). */
const E2E_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const DEFAULT_RUNS = 7;
/** A run that takes longer is broken, not slow. */
const RUN_TIMEOUT_MS = 60_000;
/** Goals of issue 18, CPU seconds. */
const GOALS_SECONDS: Record<string, number> = { help: 0.25, verify: 0.5, serve: 1 };

interface Case {
  name: string;
  /** Arguments of imgverify, or of node itself with `bare`. */
  args: string[];
  bare?: boolean;
  /** Expected exit code; serve is stopped with SIGTERM once ready (exit 0, or killed by the signal). */
  exitCode: number;
  untilReady?: boolean;
}

interface Sample {
  cpuMs: number;
  wallMs: number;
}

async function prepareCases(work: string): Promise<Case[]> {
  const notation = join(work, 'notation');
  await mkdir(join(notation, 'truststore', 'x509', 'ca', 'e2e'), { recursive: true });
  await copyFile(join(NOTATION_E2E, 'localkeys', 'e2e.crt'), join(notation, 'truststore', 'x509', 'ca', 'e2e', 'e2e.crt'));
  await copyFile(join(NOTATION_E2E, 'trustpolicies', 'trustpolicy.json'), join(notation, 'trustpolicy.json'));
  const serveConfig = join(work, 'serve');
  await mkdir(serveConfig);
  for (const file of ['trustpolicy.yaml', 'truststore.yaml']) await copyFile(join(REPOSITORY, 'examples', 'serve', file), join(serveConfig, file));
  return [
    // What any Node.js program costs on this machine at this moment: the floor under every command.
    { name: 'node_floor', args: ['-e', ''], bare: true, exitCode: 0 },
    { name: 'help', args: ['--help'], exitCode: 0 },
    {
      name: 'verify',
      args: ['verify', '--oci-layout', '--config-dir', notation, '--no-revocation-cache', `${join(NOTATION_E2E, 'oci_layout', 'e2e-valid-signature')}@${E2E_DIGEST}`],
      exitCode: 0,
    },
    {
      name: 'serve',
      args: ['serve', '--config-dir', serveConfig, '--notls', '--bind-address', '127.0.0.1:0', '--metrics-bind-address', '0', '--health-probe-bind-address', '0'],
      exitCode: 0,
      untilReady: true,
    },
  ];
}

function runOnce(testCase: Case, bin: string, cpuFile: string): Promise<Sample> {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    let wallMs: number | undefined;
    const child = spawn(process.execPath, ['--import', PROBE, ...(testCase.bare ? [] : [bin]), ...testCase.args], {
      env: { ...process.env, IMGVERIFY_BENCH_CPU_FILE: cpuFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (testCase.untilReady && wallMs === undefined && /^imgverify serve: /m.test(stderr)) {
        wallMs = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.on('error', reject);
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      wallMs ??= Number(process.hrtime.bigint() - started) / 1e6;
      // SIGTERM may come before serve installs its handler: then the signal, not an exit code, ends it.
      const stopped = testCase.untilReady && signal === 'SIGTERM';
      if (!stopped && code !== testCase.exitCode) {
        reject(new Error(`${testCase.name}: exit code ${code}, expected ${testCase.exitCode}\n${stderr}`));
        return;
      }
      try {
        const probe = JSON.parse(await readFile(cpuFile, 'utf8')) as { userMicros: number; systemMicros: number };
        resolvePromise({ cpuMs: (probe.userMicros + probe.systemMicros) / 1000, wallMs });
      } catch (err) {
        reject(err);
      }
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round = (value: number): number => Math.round(value);

/** Medians and minimums of one command's samples, against its goal. */
function summary(name: string, samples: Sample[]): Record<string, unknown> {
  const cpu = samples.map((s) => s.cpuMs);
  const cpuMedianMs = median(cpu);
  const goal = GOALS_SECONDS[name];
  return {
    cpu_median_ms: round(cpuMedianMs),
    cpu_min_ms: round(Math.min(...cpu)),
    wall_median_ms: round(median(samples.map((s) => s.wallMs))),
    ...(goal === undefined ? {} : { goal_cpu_ms: goal * 1000, within_goal: cpuMedianMs <= goal * 1000 }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, out: { type: 'string' }, bin: { type: 'string', multiple: true }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runs = values.runs === undefined ? DEFAULT_RUNS : Number(values.runs);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number\n${USAGE}`);
  const bins = (values.bin ?? [BIN]).map((bin) => resolve(bin));
  const work = await mkdtemp(join(tmpdir(), 'imgverify-bench-startup-'));
  try {
    const cases = await prepareCases(work);
    const samples = new Map<string, Sample[]>();
    for (const testCase of cases) {
      process.stderr.write(`${testCase.name}: ${testCase.bare ? 'node' : 'imgverify'} ${testCase.args.join(' ')}\n`);
      const binsOfCase = testCase.bare ? [BIN] : bins;
      for (let i = 0; i <= runs; i += 1) {
        for (const bin of binsOfCase) {
          const sample = await runOnce(testCase, bin, join(work, `cpu-${testCase.name}-${i}.json`));
          const key = `${bin}\n${testCase.name}`;
          if (i > 0) samples.set(key, [...(samples.get(key) ?? []), sample]);
        }
      }
    }
    const commandsOf = (bin: string): Record<string, unknown> =>
      Object.fromEntries(cases.map((testCase) => [testCase.name, summary(testCase.name, samples.get(`${testCase.bare ? BIN : bin}\n${testCase.name}`) ?? [])]));
    const base = { node: process.version, runs, load_average_at_end: loadavg().map((value) => Math.round(value * 100) / 100), cpus: cpus().length };
    const result = bins.length === 1 ? { ...base, commands: commandsOf(bins[0] as string) } : { ...base, builds: Object.fromEntries(bins.map((bin) => [bin, commandsOf(bin)])) };
    const json = `${JSON.stringify(result, null, 2)}\n`;
    process.stdout.write(json);
    if (values.out) await writeFile(values.out, json);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
