// Loaded with `node --import` into each process bench/startup.ts measures: writes the process's own CPU
// time (user + system, microseconds) to $IMGVERIFY_BENCH_CPU_FILE when `serve` says it is listening
// (its first stderr line starting "imgverify serve: ") or, for other commands, when the process exits.
import { writeFileSync } from 'node:fs';

const file = process.env.IMGVERIFY_BENCH_CPU_FILE;
const READY_MARKER = 'imgverify serve: ';

if (file) {
  let written = false;
  const record = (event: 'ready' | 'exit'): void => {
    if (written) return;
    written = true;
    const { user, system } = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ event, userMicros: user, systemMicros: system }));
  };
  const write = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith(READY_MARKER)) record('ready');
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
  process.on('exit', () => record('exit'));
}
