#!/usr/bin/env node
// `npm run soak -- --minutes N`: the load suite (test/reliability/load.test.ts) for N minutes instead of CI's 15 s,
// with the same mix, reloads and outage, and its bounds (a least-squares RSS slope once the run is long enough).
// Its report is the `{"suite":"load",...}` line. Plain JavaScript: it only starts vitest.
import { spawn } from 'node:child_process';
import console from 'node:console';
import process from 'node:process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, help: { type: 'boolean', default: false } } });
if (values.help) {
  console.log('usage: npm run soak -- [--minutes N]   (default 10; CI runs the same suite for 15 s)');
  process.exit(0);
}
const minutes = Number(values.minutes);
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`--minutes must be a positive number, got "${values.minutes}"`);
  process.exit(2);
}
const child = spawn('npx', ['vitest', 'run', '--project', 'reliability', 'test/reliability/load.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, SOAK_SECONDS: String(Math.round(minutes * 60)) },
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
