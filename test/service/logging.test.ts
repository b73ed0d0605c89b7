// JSON logs: level names, and credentials redacted wherever they appear.
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger } from '../../src/service/index.js';

test('authorization headers, tokens and passwords never reach the log', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  logger.info({ req: { headers: { authorization: 'Bearer eyJ-SECRET' } }, token: 'tok-SECRET', registry: { password: 'pw-SECRET', username: 'u' } }, 'request');
  logger.flush();
  const entry = JSON.parse(lines[0] as string) as Record<string, unknown>;
  expect(entry).toMatchObject({
    level: 'info',
    service: 'imgverify',
    msg: 'request',
    req: { headers: { authorization: '[REDACTED]' } },
    token: '[REDACTED]',
    registry: { password: '[REDACTED]', username: 'u' },
  });
  expect(lines.join('')).not.toMatch(/SECRET/);
});
