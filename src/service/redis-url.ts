// The --cacheBackend URL (redis://host:port/db, rediss:// for TLS): parsed when the options are read, redacted for logs.
// Apart from redis-store.ts so that reading the options does not load the Redis client.
import { REDIS_DEFAULT_PORT } from './constants.js';
import { ServiceError } from './errors.js';

/** Where Redis is, parsed from `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
}

function invalid(message: string): ServiceError {
  return new ServiceError('INVALID_OPTION', `--cacheBackend: ${message}`);
}

/** Parse a cache backend URL; the message of an error never repeats the password. */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('not a URL; use redis://host:port/db or rediss://host:port/db (TLS)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw invalid(`unsupported scheme "${url.protocol}"; use redis:// or rediss:// (TLS)`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('no host; use redis://host:port/db');
  if (url.search !== '' || url.hash !== '') throw invalid('query parameters and fragments are not supported');
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) throw invalid(`database "${dbText}" is not a number`);
  const target: RedisTarget = {
    host,
    port: url.port === '' ? REDIS_DEFAULT_PORT : Number(url.port),
    db: dbText === '' ? 0 : Number(dbText),
    tls: url.protocol === 'rediss:',
  };
  if (url.username !== '') target.username = decodeURIComponent(url.username);
  if (url.password !== '') target.password = decodeURIComponent(url.password);
  return target;
}

/** The URL as it may appear in logs: the password replaced. */
export function redactRedisUrl(target: RedisTarget): string {
  const credentials = target.password !== undefined ? `${target.username ?? ''}:***@` : target.username ? `${target.username}@` : '';
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `${target.tls ? 'rediss' : 'redis'}://${credentials}${host}:${target.port}/${target.db}`;
}
