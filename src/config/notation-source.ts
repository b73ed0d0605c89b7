// The notation config dir as a configuration source (`serve --local`): the dir the CLI verifies with, read as one TrustPolicy and its TrustStores, watched.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MAX_TRUST_STORE_FILES, TRUST_POLICY_FILES, TRUST_STORE_DIR, TRUST_STORE_TYPES, X509_TRUST_STORE_DIR } from '../notary/index.js';
import { DIRECTORY_POLL_INTERVAL_MS, RESYNC_INTERVAL_MS, WATCH_DEBOUNCE_MS } from './constants.js';
import { ConfigError } from './errors.js';
import { readNotationConfigDir } from './notation-dir.js';
import { SnapshotSource, type SnapshotSourceOptions, type SourceRead } from './source-base.js';

export interface NotationConfigSourceOptions extends SnapshotSourceOptions {
  /** The name requests select the dir's trust policy by (default NOTATION_TRUST_POLICY_NAME). */
  trustPolicyName: string;
  debounceMs?: number;
  /** How often the files' metadata is compared, in case no watch event said they changed (0: only events). */
  pollIntervalMs?: number;
  /** 0 disables the periodic full re-read. */
  resyncIntervalMs?: number;
}

/** Most store directories looked at by one poll (per type), beyond which changes wait for an event or the resync. */
const MAX_POLLED_STORES = 100;

/** What a change to the dir changes: names, sizes, times and inodes of the policy files and every trust store file (no content read). */
async function treeSignature(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const note = async (path: string): Promise<void> => {
    const info = await lstat(path).catch(() => undefined);
    hash.update(info ? `${path}\0${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}\0` : `${path}\0-\0`);
  };
  await note(dir);
  for (const file of TRUST_POLICY_FILES) await note(join(dir, file));
  for (const type of TRUST_STORE_TYPES) {
    const typeDir = join(dir, TRUST_STORE_DIR, X509_TRUST_STORE_DIR, type);
    const stores = (await readdir(typeDir).catch(() => [])).sort().slice(0, MAX_POLLED_STORES);
    for (const store of stores) {
      await note(join(typeDir, store));
      const files = (await readdir(join(typeDir, store)).catch(() => [])).sort().slice(0, MAX_TRUST_STORE_FILES + 1);
      for (const file of files) await note(join(typeDir, store, file));
    }
  }
  return hash.digest('hex');
}

/**
 * notation's own layout as the service's configuration: `trustpolicy.oci.json` (else
 * `trustpolicy.json`) and the trust stores it names under `truststore/x509/`, read as `verify`
 * reads them. The dir is watched (recursively where the platform can) and its files' metadata
 * compared every poll interval, so an edit, `imgverify cert add` or `policy import` applies without
 * a restart; a broken store or policy keeps the last good version in use, as a bad manifest does.
 */
export class NotationConfigSource extends SnapshotSource {
  readonly dir: string;
  readonly #trustPolicyName: string;
  readonly #debounceMs: number;
  readonly #pollIntervalMs: number;
  readonly #resyncIntervalMs: number;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #signature: string | undefined;

  constructor(dir: string, options: NotationConfigSourceOptions) {
    const path = resolve(dir);
    super({ description: `notation:${path}`, label: `notation config dir ${path}`, origin: { kind: 'file', path } }, options);
    this.dir = path;
    this.#trustPolicyName = options.trustPolicyName;
    this.#debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
    this.#pollIntervalMs = options.pollIntervalMs ?? DIRECTORY_POLL_INTERVAL_MS;
    this.#resyncIntervalMs = options.resyncIntervalMs ?? RESYNC_INTERVAL_MS;
  }

  protected override async prepare(): Promise<void> {
    const info = await stat(this.dir).catch((err: unknown) => {
      throw new ConfigError(
        'CONFIG_DIR_UNREADABLE',
        `notation config dir ${this.dir} does not exist or cannot be read: ${err instanceof Error ? err.message : String(err)}; ` +
          'create it (imgverify cert add, imgverify policy import) or name another with --notation-config (to reach a cluster from outside it, --kubeconfig)',
        { cause: err },
      );
    });
    if (!info.isDirectory()) throw new ConfigError('CONFIG_DIR_UNREADABLE', `notation config dir ${this.dir} is not a directory`);
  }

  protected async read(): Promise<SourceRead> {
    this.#signature = await treeSignature(this.dir);
    return readNotationConfigDir(this.dir, this.#trustPolicyName);
  }

  protected watch(): void {
    try {
      // Trust stores are two levels down; Node watches subdirectories on Linux since 20 (elsewhere the poll notices).
      this.#watcher = watch(this.dir, { persistent: false, recursive: true }, () => this.#schedule());
    } catch {
      this.#watcher = watch(this.dir, { persistent: false }, () => this.#schedule());
    }
    this.#watcher.on('error', () => {
      this.#watcher?.close();
      this.#watcher = undefined;
    });
    if (this.#pollIntervalMs > 0) {
      this.#poll = setInterval(() => {
        void treeSignature(this.dir).then((signature) => {
          if (signature !== this.#signature) this.#schedule(0);
        });
      }, this.#pollIntervalMs);
      this.#poll.unref();
    }
    if (this.#resyncIntervalMs > 0) {
      this.#resync = setInterval(() => this.#schedule(0), this.#resyncIntervalMs);
      this.#resync.unref();
    }
  }

  protected unwatch(): void {
    clearTimeout(this.#debounce);
    clearInterval(this.#poll);
    clearInterval(this.#resync);
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #schedule(delayMs: number = this.#debounceMs): void {
    if (this.closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.requestReload(), delayMs);
    this.#debounce.unref();
  }
}
