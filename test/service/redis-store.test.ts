// The shared verdict store against a real redis-server: shared between caches, same TTLs and caps,
// bounded when Redis is frozen, "not cached" when it is gone or holds something else.
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureGeneratedTls,
  isStoredVerdict,
  parseRedisUrl,
  redactRedisUrl,
  REDIS_KEY_PREFIX,
  REDIS_OPERATION_TIMEOUT_MS,
  RedisVerdictStore,
  VerdictCache,
  verdictStoreScope,
  type VerdictKind,
} from '../../src/service/index.js';
import type { ImageVerdict } from '../../src/verification/index.js';
import { startRedis, type RedisServer } from '../support/redis.js';

describe('parseRedisUrl', () => {
  test.each([
    ['redis://cache:6380/2', { host: 'cache', port: 6380, db: 2, tls: false }],
    ['redis://127.0.0.1', { host: '127.0.0.1', port: 6379, db: 0, tls: false }],
    ['rediss://:p%40ss@cache.example.com/1', { host: 'cache.example.com', port: 6379, db: 1, tls: true, password: 'p@ss' }],
    ['redis://user:pw@[::1]:7000/0', { host: '::1', port: 7000, db: 0, tls: false, username: 'user', password: 'pw' }],
  ])('%s', (url, target) => {
    expect(parseRedisUrl(url)).toEqual(target);
  });

  test.each([
    ['cache:6379', 'unsupported scheme "cache:"'],
    ['http://cache:6379/0', 'unsupported scheme "http:"'],
    ['redis://:secret@cache/zero', 'database "zero" is not a number'],
    ['redis://:secret@cache/0?tls=1', 'query parameters and fragments are not supported'],
    ['not a url', 'not a URL'],
  ])('%s is refused without repeating the password', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
    try {
      parseRedisUrl(url);
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
      expect((err as { code: string }).code).toBe('INVALID_OPTION');
    }
  });

  test('logs show the URL without its password', () => {
    expect(redactRedisUrl(parseRedisUrl('rediss://admin:secret@cache:6380/3'))).toBe('rediss://admin:***@cache:6380/3');
    expect(redactRedisUrl(parseRedisUrl('redis://cache'))).toBe('redis://cache:6379/0');
  });
});

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
const KEY = `127.0.0.1:5000/team/app@${DIGEST}\npolicy-hash-1`;

function verdict(kind: VerdictKind, extra: Partial<ImageVerdict> = {}): ImageVerdict {
  return {
    reference: '127.0.0.1:5000/team/app:v1',
    digest: DIGEST,
    verified: kind === 'positive',
    evidence: [],
    ...(kind === 'positive' ? {} : { error: { code: kind === 'transient' ? 'REGISTRY_UNAVAILABLE' : 'SIGNATURE_NOT_FOUND', message: kind } }),
    ...extra,
  } as ImageVerdict;
}

const classify = (v: ImageVerdict): VerdictKind => (v.verified ? 'positive' : v.error?.message === 'transient' ? 'transient' : 'negative');

let redis: RedisServer;
const stores: RedisVerdictStore<ImageVerdict>[] = [];

/**
 * A store of one replica, connected (as the service waits for it at start). Commands get 2 s, not
 * the 50 ms production bound, so a loaded test machine cannot turn sharing into a coin toss; the
 * frozen-Redis test asks for the real bound.
 */
async function store(url = redis.url, scope = 'test', options: { tlsCa?: string; operationTimeoutMs?: number } = {}): Promise<RedisVerdictStore<ImageVerdict>> {
  const created = new RedisVerdictStore<ImageVerdict>({ target: parseRedisUrl(url), scope, accept: isStoredVerdict, operationTimeoutMs: 2_000, ...options });
  stores.push(created);
  await created.connected();
  return created;
}

/** A cache of one "replica": its own memory, the shared store, and a count of verifications it ran. */
function replica(shared: RedisVerdictStore<ImageVerdict>, options: { ttlSeconds?: number; validUntil?: (v: ImageVerdict) => number | undefined } = {}) {
  let computed = 0;
  const cache = new VerdictCache<ImageVerdict>({
    enabled: true,
    maxSize: 100,
    ttlSeconds: options.ttlSeconds ?? 3600,
    classify,
    validUntil: options.validUntil ?? ((v) => (v.validUntil ? Date.parse(v.validUntil) : undefined)),
    shared,
  });
  const get = async (key: string, value: ImageVerdict) => {
    const answer = await cache.get(
      key,
      async () => {
        computed += 1;
        return value;
      },
      { signal: new AbortController().signal, flightTimeoutMs: 5_000 },
    );
    return answer;
  };
  return { cache, get, shared, computed: () => computed };
}

/** Wait until a write that is not awaited (the cache's set) has reached Redis. */
async function untilStored(raw: Redis, pattern = `${REDIS_KEY_PREFIX}*`): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const keys = await raw.keys(pattern);
    if (keys.length > 0) return keys;
    await sleep(10);
  }
  throw new Error('nothing was written to Redis');
}

let raw: Redis;

/** Wait until a write that is not awaited has reached the store (read through the store itself). */
async function untilIn(shared: RedisVerdictStore<ImageVerdict>, key: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await shared.get(key)) return;
    await sleep(10);
  }
  throw new Error('the verdict never reached Redis');
}

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
  raw.on('error', () => undefined);
  await raw.connect();
}, 30_000);

afterAll(async () => {
  raw?.disconnect();
  await Promise.all(stores.map((s) => s.close()));
  await redis?.stop();
});

async function flush(): Promise<void> {
  await raw.flushdb();
}

describe('shared between replicas', () => {
  test('a verdict verified by one replica is answered by another without verifying', async () => {
    await flush();
    const [a, b] = [replica(await store()), replica(await store())];
    const first = await a.get(KEY, verdict('positive'));
    await untilStored(raw);
    const second = await b.get(KEY, verdict('negative'));
    expect([first.cached, second.cached, second.value.verified, a.computed(), b.computed()]).toEqual([false, true, true, 1, 0]);
    // b keeps it in its own memory now: the next answer asks nobody.
    expect(b.cache.size).toBe(1);
  });

  test('same TTLs: a positive verdict lives the TTL, a negative one 30 s, a transient one is never written', async () => {
    await flush();
    const a = replica(await store(), { ttlSeconds: 120 });
    await a.get(KEY, verdict('positive'));
    const [positiveKey] = await untilStored(raw);
    const positiveTtl = await raw.pttl(positiveKey as string);
    expect(positiveTtl).toBeGreaterThan(119_000);
    expect(positiveTtl).toBeLessThanOrEqual(120_000);

    await flush();
    const negativeKey = KEY.replace('policy-hash-1', 'policy-hash-negative');
    await replica(await store()).get(negativeKey, verdict('negative'));
    const [stored] = await untilStored(raw);
    expect(await raw.pttl(stored as string)).toBeLessThanOrEqual(30_000);

    await flush();
    await replica(await store()).get(KEY.replace('policy-hash-1', 'policy-hash-transient'), verdict('transient'));
    await sleep(100);
    expect(await raw.keys(`${REDIS_KEY_PREFIX}*`)).toEqual([]);
  });

  test('validUntil caps the shared life: an entry is gone from Redis when the signature would expire', async () => {
    await flush();
    const expiring = verdict('positive', { validUntil: new Date(Date.now() + 400).toISOString() });
    const [a, b] = [replica(await store()), replica(await store())];
    await a.get(KEY, expiring);
    const [key] = await untilStored(raw);
    expect(await raw.pttl(key as string)).toBeLessThanOrEqual(400);
    await sleep(450);
    await b.get(KEY, verdict('positive'));
    expect(b.computed()).toBe(1);
  });

  test('another trust policy (another cache key) or other verifier settings (another scope) are not answered', async () => {
    await flush();
    const a = replica(await store(redis.url, 'scope-1'));
    await a.get(KEY, verdict('positive'));
    await untilStored(raw);
    const otherPolicy = replica(await store(redis.url, 'scope-1'));
    await otherPolicy.get(KEY.replace('policy-hash-1', 'policy-hash-2'), verdict('positive'));
    const otherScope = replica(await store(redis.url, 'scope-2'));
    await otherScope.get(KEY, verdict('positive'));
    expect([otherPolicy.computed(), otherScope.computed()]).toEqual([1, 1]);
  });

  test('every verifier setting that decides a verdict changes the scope; the default AWS Signer verifier is the builtin one', () => {
    const base = { maxSignatureAttempts: 30 };
    const scopes = [
      verdictStoreScope(base),
      verdictStoreScope({ maxSignatureAttempts: 5 }),
      verdictStoreScope({ ...base, pluginsDir: '/plugins' }),
      verdictStoreScope({ ...base, allowInsecure: true }),
      verdictStoreScope({ ...base, allowInsecure: ['registry.example'] }),
      verdictStoreScope({ ...base, plainHttp: ['registry.example'] }),
      verdictStoreScope({ ...base, awsSignerVerifier: 'plugin' }),
      verdictStoreScope(base, { region: 'us-west-2' }),
    ];
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(verdictStoreScope({ ...base, awsSignerVerifier: 'builtin' })).toBe(scopes[0]);
  });

  test('a stored value about another digest, not a verdict, or transient is "not cached"', async () => {
    await flush();
    const writer = await store();
    await writer.set(KEY, verdict('positive'), 60_000);
    const [key] = await untilStored(raw);
    const envelope = JSON.parse((await raw.get(key as string)) as string) as { value: ImageVerdict };
    const transient = { ...envelope.value, verified: false, error: { code: 'REGISTRY_UNAVAILABLE', message: 'transient' } };
    for (const value of [{ ...envelope.value, digest: OTHER_DIGEST }, { ...envelope.value, verified: 'true' }, 'verified', transient]) {
      await raw.set(key as string, JSON.stringify({ ...envelope, value }), 'PX', 60_000);
      const reader = replica(await store());
      const answer = await reader.get(KEY, verdict('negative'));
      expect([answer.cached, answer.value.verified, reader.computed()]).toEqual([false, false, 1]);
    }
  });
});

test('rediss://: shared over TLS with a trusted CA; an untrusted certificate or plain redis:// is "not cached"', async () => {
  const certDir = await mkdtemp(join(tmpdir(), 'imgverify-redis-tls-'));
  const tls = await ensureGeneratedTls({ certDir, hosts: ['127.0.0.1'] });
  const secure = await startRedis({ tls: { certFile: join(certDir, 'tls.crt'), keyFile: join(certDir, 'tls.key'), caFile: tls.caCertPath as string } });
  try {
    expect(secure.url).toMatch(/^rediss:/);
    const trusted = { tlsCa: tls.caCert as string };
    const [a, b] = [replica(await store(secure.url, 'tls', trusted)), replica(await store(secure.url, 'tls', trusted))];
    await a.get(KEY, verdict('positive'));
    await untilIn(a.shared, KEY);
    expect((await b.get(KEY, verdict('negative'))).cached).toBe(true);
    const untrusted = replica(await store(secure.url, 'tls', { operationTimeoutMs: 200 }));
    const plain = replica(await store(secure.url.replace('rediss:', 'redis:'), 'tls', { operationTimeoutMs: 200 }));
    const answers = [await untrusted.get(KEY, verdict('negative')), await plain.get(KEY, verdict('negative'))];
    expect(answers.map((x) => [x.cached, x.value.verified])).toEqual([
      [false, false],
      [false, false],
    ]);
  } finally {
    await secure.stop();
    await rm(certDir, { recursive: true, force: true });
  }
}, 20_000);

describe('when Redis fails', () => {
  test('wrong password: every lookup is "not cached" and verification goes on', async () => {
    const locked = await startRedis({ password: 'right' });
    try {
      const wrong = replica(await store(locked.url.replace(':right@', ':wrong@')));
      const answers = [await wrong.get(KEY, verdict('positive')), await wrong.get(KEY.replace('1', '2'), verdict('positive'))];
      expect(answers.map((a) => a.cached)).toEqual([false, false]);
      expect(wrong.computed()).toBe(2);
      const [a, b] = [replica(await store(locked.url)), replica(await store(locked.url))];
      await a.get(KEY, verdict('positive'));
      await untilIn(a.shared, KEY);
      expect((await b.get(KEY, verdict('negative'))).value.verified).toBe(true);
      expect(b.computed()).toBe(0);
    } finally {
      await locked.stop();
    }
  });

  test('the password never reaches the logs, which say once that Redis is gone and once that it is back', async () => {
    const secret = 'pw-7f3a9c-not-for-logs';
    const locked = await startRedis({ password: secret });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const watched = new RedisVerdictStore<ImageVerdict>({ target: parseRedisUrl(locked.url), scope: 'logs', accept: isStoredVerdict, logger });
    stores.push(watched);
    try {
      expect(await watched.connected()).toBe(true);
      await locked.kill();
      for (let i = 0; i < 5; i++) await watched.get(KEY);
      await locked.restart();
      expect(await watched.connected(5_000)).toBe(true);
      await sleep(50);
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
        'shared verdict cache unreachable: answering from memory and verifying until it is back',
        'shared verdict cache reachable again',
      ]);
      expect(lines.join('\n')).not.toContain(secret);
      expect(lines[0]).toContain(`redis://:***@127.0.0.1:${locked.port}/0`);
    } finally {
      await locked.stop();
    }
  }, 20_000);

  test('frozen Redis: a lookup gives up within the 50 ms bound (well under 1 s) and the verdict is computed', async () => {
    await flush();
    const shared = await store(redis.url, 'test', { operationTimeoutMs: REDIS_OPERATION_TIMEOUT_MS });
    const a = replica(shared);
    await a.get(KEY, verdict('positive'));
    await untilStored(raw);
    redis.pause();
    try {
      const b = replica(shared);
      const started = performance.now();
      const answer = await b.get(KEY, verdict('positive'));
      const elapsed = performance.now() - started;
      expect([answer.cached, b.computed()]).toEqual([false, 1]);
      // 50 ms plus whatever a loaded machine adds; far below the frozen-forever alternative (the request deadline).
      expect(elapsed).toBeLessThan(1_000);
    } finally {
      redis.resume();
    }
  });

  test('an event loop busy past the bound still takes a reply Redis sent in time', async () => {
    await flush();
    const shared = await store(redis.url, 'test', { operationTimeoutMs: REDIS_OPERATION_TIMEOUT_MS });
    await shared.set(KEY, verdict('positive'), 60_000);
    // The command is on the wire; the loop is then blocked 4× the bound, as CPU-bound verifications do.
    const pending = shared.get(KEY);
    const blockedUntil = performance.now() + REDIS_OPERATION_TIMEOUT_MS * 4;
    while (performance.now() < blockedUntil) {
      // busy
    }
    expect((await pending)?.value.verified).toBe(true);
  });

  test('killed Redis: answers go on from memory and verification; after a restart sharing resumes', async () => {
    await flush();
    const [sharedA, sharedB] = [await store(), await store()];
    const [a, b] = [replica(sharedA), replica(sharedB)];
    await a.get(KEY, verdict('positive'));
    await untilStored(raw);
    await redis.kill();
    const keyDown = KEY.replace('policy-hash-1', 'policy-hash-down');
    const whileDown = [await a.get(KEY, verdict('negative')), await b.get(KEY, verdict('positive')), await a.get(keyDown, verdict('positive'))];
    // a: its memory; b: verifies (Redis gone); the new key: verified and kept in a's memory.
    expect(whileDown.map((x) => [x.cached, x.value.verified])).toEqual([
      [true, true],
      [false, true],
      [false, true],
    ]);
    expect([a.computed(), b.computed()]).toEqual([2, 1]);
    await redis.restart();
    await raw.connect().catch(() => undefined);
    const keyBack = KEY.replace('policy-hash-1', 'policy-hash-back');
    let shared = false;
    for (let attempt = 0; attempt < 60 && !shared; attempt++) {
      await sleep(100);
      const writer = replica(sharedA);
      await writer.get(keyBack, verdict('positive'));
      await sleep(20);
      const reader = replica(sharedB);
      shared = (await reader.get(keyBack, verdict('negative'))).cached;
    }
    expect(shared).toBe(true);
  }, 20_000);
});
