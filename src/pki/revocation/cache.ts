// Cache of revocation responses (OCSP responses, CRLs) until their nextUpdate: in memory, optionally on disk.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { MAX_CACHE_BYTES } from './constants.js';
import { hexDigest } from '../../common/hash.js';

interface Entry<T> {
  der: Uint8Array;
  /** Epoch ms after which the entry must not be used. */
  expires: number;
  /** A parsed form kept beside the bytes (memory only), so big CRLs are not parsed on every check. */
  parsed?: T;
}

interface DiskMeta {
  key: string;
  expires: number;
}

export interface ResponseCacheOptions {
  /** Directory for an on-disk copy (the CLI's cache); memory only when absent. */
  dir?: string;
  maxBytes?: number;
}

/** Keys are caller-made strings (issuer + serial + URL for OCSP, issuer + URL for CRLs). */
export class ResponseCache<T = unknown> {
  private readonly memory: LRUCache<string, Entry<T>>;
  private readonly dir: string | undefined;

  constructor(options: ResponseCacheOptions = {}) {
    this.dir = options.dir;
    this.memory = new LRUCache<string, Entry<T>>({
      maxSize: options.maxBytes ?? MAX_CACHE_BYTES,
      sizeCalculation: (entry) => Math.max(1, entry.der.byteLength),
    });
  }

  async get(key: string, now: Date): Promise<Entry<T> | undefined> {
    const hit = this.memory.get(key);
    if (hit) {
      if (hit.expires > now.getTime()) return hit;
      this.memory.delete(key);
    }
    if (!this.dir) return undefined;
    const base = join(this.dir, fileName(key));
    try {
      const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as Partial<DiskMeta>;
      if (meta.key !== key || typeof meta.expires !== 'number' || meta.expires <= now.getTime()) return undefined;
      const der = new Uint8Array(await readFile(`${base}.der`));
      const entry: Entry<T> = { der, expires: meta.expires };
      this.memory.set(key, entry);
      return entry;
    } catch {
      // A missing or damaged cache file is a miss, never an error.
      return undefined;
    }
  }

  /** Remember `der` until `expires`; answers without an expiry are not cached. */
  async set(key: string, der: Uint8Array, expires: Date | undefined, now: Date, parsed?: T): Promise<void> {
    if (!expires || expires.getTime() <= now.getTime()) return;
    this.memory.set(key, { der, expires: expires.getTime(), parsed });
    if (!this.dir) return;
    const base = join(this.dir, fileName(key));
    try {
      await mkdir(this.dir, { recursive: true });
      const temporary = `${base}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, der);
      await rename(temporary, `${base}.der`);
      const meta: DiskMeta = { key, expires: expires.getTime() };
      await writeFile(`${base}.json`, JSON.stringify(meta));
    } catch {
      // The disk copy is an optimisation: failing to write it must not fail a verification.
    }
  }

  /** Keep a parsed form beside a cached entry. */
  remember(key: string, parsed: T): void {
    const entry = this.memory.get(key);
    if (entry) entry.parsed = parsed;
  }

  delete(key: string): void {
    this.memory.delete(key);
  }
}

function fileName(key: string): string {
  return hexDigest('sha256', key);
}
