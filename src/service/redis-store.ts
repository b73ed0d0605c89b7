// The shared verdict store in Redis (--cacheBackend redis://host:port/db): every command bounded, every failure "not cached".
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import {
  REDIS_COMMAND_BACKSTOP_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  REDIS_KEY_PREFIX,
  REDIS_MAX_RECONNECT_DELAY_MS,
  REDIS_MAX_VALUE_BYTES,
  REDIS_OPERATION_TIMEOUT_MS,
} from './constants.js';
import type { RegistryOptions } from './options.js';
import { redactRedisUrl, type RedisTarget } from './redis-url.js';
import type { StoredVerdict, VerdictStore } from './verdict-store.js';
import { hexDigest } from '../common/hash.js';

export { parseRedisUrl, redactRedisUrl, type RedisTarget } from './redis-url.js';

/** The verifier settings besides the image digest and the trust policy (both in the cache key) that decide a verdict. */
export type VerdictScopeSettings = Pick<RegistryOptions, 'maxSignatureAttempts' | 'pluginsDir' | 'allowInsecure' | 'plainHttp' | 'awsSignerVerifier'>;

/** A short digest of the settings that decide a verdict besides key and policy (RedisVerdictStoreOptions.scope). */
export function verdictStoreScope(registry: VerdictScopeSettings, pluginConfig?: Readonly<Record<string, string>>): string {
  const settings: Record<string, unknown> = {
    maxSignatureAttempts: registry.maxSignatureAttempts,
    pluginsDir: registry.pluginsDir,
    allowInsecureRegistry: registry.allowInsecure,
    plainHttpRegistries: registry.plainHttp,
    awsSignerVerifier: registry.awsSignerVerifier ?? 'builtin',
    pluginConfig,
  };
  const canonical = JSON.stringify(Object.keys(settings).sort().map((name) => [name, settings[name] ?? null]));
  return hexDigest('sha256', canonical).slice(0, 16);
}

export interface RedisVerdictStoreOptions<V> {
  target: RedisTarget;
  /**
   * Keys are `<REDIS_KEY_PREFIX><scope>:<sha256 of the cache key>`: `scope` names what else decides
   * a verdict in this deployment (settings of the verifier), so replicas configured differently
   * never answer for each other.
   */
  scope: string;
  /** Whether a value read back is a verdict for `key`; anything else is "not cached". */
  accept(value: unknown, key: string): value is V;
  /** PEM of CAs to trust for rediss:// instead of Node's (the service relies on NODE_EXTRA_CA_CERTS). */
  tlsCa?: string;
  operationTimeoutMs?: number;
  logger?: Logger;
  onError?(operation: 'get' | 'set'): void;
}

/** What is written under a key: the cache key itself (checked on read), the expiry, the verdict. */
interface Envelope {
  key: string;
  expiresAt: number;
  value: unknown;
}

function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const envelope = value as Record<string, unknown>;
  return typeof envelope['key'] === 'string' && typeof envelope['expiresAt'] === 'number' && 'value' in envelope;
}

/**
 * `command`'s result, or a rejection once `timeoutMs` has passed. When the timer fires, replies
 * already waiting on the socket go first (setImmediate runs after the event loop's I/O phase): an
 * event loop busy verifying runs timers late, and must not count a command Redis answered in time
 * as timed out.
 */
function withinBound<T>(command: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`the Redis command took longer than ${timeoutMs} ms`));
      });
    }, timeoutMs);
    command.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export class RedisVerdictStore<V> implements VerdictStore<V> {
  readonly name = 'redis';
  readonly #client: Redis;
  readonly #options: RedisVerdictStoreOptions<V>;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  /** Log a lost connection once, and its return once, not every failed command. */
  #healthy = true;

  constructor(options: RedisVerdictStoreOptions<V>) {
    this.#options = options;
    this.#prefix = `${REDIS_KEY_PREFIX}${options.scope}:`;
    const { target } = options;
    const timeout = options.operationTimeoutMs ?? REDIS_OPERATION_TIMEOUT_MS;
    this.#timeoutMs = timeout;
    const redisOptions: RedisOptions = {
      host: target.host,
      port: target.port,
      db: target.db,
      ...(target.username !== undefined ? { username: target.username } : {}),
      ...(target.password !== undefined ? { password: target.password } : {}),
      // SNI names a host, never an address (RFC 6066); the certificate is checked against either.
      ...(target.tls ? { tls: { ...(isIP(target.host) ? {} : { servername: target.host }), ...(options.tlsCa ? { ca: options.tlsCa } : {}) } } : {}),
      // A command waits for no reconnection and no retry; ioredis drops one that is still unanswered
      // after the backstop (a frozen Redis must not grow its queue), our bound answers much sooner.
      commandTimeout: Math.max(timeout * 10, REDIS_COMMAND_BACKSTOP_MS),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_MAX_RECONNECT_DELAY_MS),
      lazyConnect: false,
    };
    this.#client = new Redis(redisOptions);
    const where = redactRedisUrl(target);
    this.#client.on('ready', () => {
      if (!this.#healthy) options.logger?.info({ cacheBackend: where }, 'shared verdict cache reachable again');
      this.#healthy = true;
    });
    // Without a listener ioredis reports errors as unhandled; the message holds no credentials.
    this.#client.on('error', (err: Error) => this.#unhealthy(err));
  }

  /**
   * Wait (at most `timeoutMs`) for the connection, so the first requests after a start can share;
   * false when Redis is not there yet (the store keeps trying in the background).
   */
  async connected(timeoutMs = REDIS_CONNECT_TIMEOUT_MS): Promise<boolean> {
    if (this.#client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.#client.off('ready', onReady);
        resolve(ready);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.#client.once('ready', onReady);
    });
  }

  #unhealthy(err: unknown): void {
    if (!this.#healthy) return;
    this.#healthy = false;
    this.#options.logger?.warn(
      { cacheBackend: redactRedisUrl(this.#options.target), err: err instanceof Error ? err.message : String(err) },
      'shared verdict cache unreachable: answering from memory and verifying until it is back',
    );
  }

  #redisKey(key: string): string {
    return this.#prefix + hexDigest('sha256', key);
  }

  async get(key: string): Promise<StoredVerdict<V> | undefined> {
    let raw: Buffer | null;
    try {
      raw = await withinBound(this.#client.getBuffer(this.#redisKey(key)), this.#timeoutMs);
    } catch (err) {
      this.#options.onError?.('get');
      this.#unhealthy(err);
      return undefined;
    }
    if (raw === null || raw.length > REDIS_MAX_VALUE_BYTES) return undefined;
    let envelope: unknown;
    try {
      envelope = JSON.parse(raw.toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isEnvelope(envelope) || envelope.key !== key || envelope.expiresAt <= Date.now()) return undefined;
    if (!this.#options.accept(envelope.value, key)) return undefined;
    return { value: envelope.value, expiresAt: envelope.expiresAt };
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    const ttl = Math.floor(ttlMs);
    if (ttl < 1) return;
    const text = JSON.stringify({ key, expiresAt: Date.now() + ttl, value } satisfies Envelope);
    if (Buffer.byteLength(text) > REDIS_MAX_VALUE_BYTES) return;
    try {
      await withinBound(this.#client.set(this.#redisKey(key), text, 'PX', ttl), this.#timeoutMs);
    } catch (err) {
      this.#options.onError?.('set');
      this.#unhealthy(err);
    }
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
