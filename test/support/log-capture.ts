// The service's log captured in memory: a pino logger whose JSON lines a test reads back (codes, generations, secrets).
import { Writable } from 'node:stream';
import { pino, type Level, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Every line written so far, parsed. */
  lines: Array<Record<string, unknown>>;
  /** The per-image lines (`msg: "image"`) written so far. */
  images(): Array<Record<string, unknown>>;
}

export function captureLog(level: Level = 'info'): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines, images: () => lines.filter((line) => line.msg === 'image') };
}
