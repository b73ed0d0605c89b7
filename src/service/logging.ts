// JSON logs (pino) with credentials redacted wherever they could appear.
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

/** Paths pino blanks out: authorization headers, tokens, passwords, registry credentials. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  'credentials',
  '*.authorization',
  '*.token',
  '*.password',
  '*.identityToken',
  '*.registryToken',
  '*.credentials',
];

export function createLogger(options: { level?: LevelWithSilent; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'imgverify' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: what log pipelines and people filter on.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
