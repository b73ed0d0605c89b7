// The embedded default configuration source: a directory of TrustPolicy/TrustStore YAML manifests, watched.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { readTextFileLimited } from '../common/index.js';
import {
  MANIFEST_EXTENSIONS,
  MAX_MANIFEST_FILE_BYTES,
  MAX_MANIFEST_FILES,
  RESYNC_INTERVAL_MS,
  DIRECTORY_POLL_INTERVAL_MS,
  WATCH_DEBOUNCE_MS,
} from './constants.js';
import { ConfigError } from './errors.js';
import { parseManifestText } from './manifests.js';
import type { SourceUnit } from './origin.js';
import { SnapshotSource, type SnapshotSourceOptions, type SourceRead } from './source-base.js';

export interface FileConfigSourceOptions extends SnapshotSourceOptions {
  debounceMs?: number;
  /** 0 disables the periodic full re-read. */
  resyncIntervalMs?: number;
  /** How often the path is checked for naming another directory than the one watched (0: only on events). */
  pollIntervalMs?: number;
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Read every manifest of `dir` afresh. Dotfiles and hidden dirs (editor swap files, ConfigMap `..data`) are skipped. */
export async function readConfigDirectory(dir: string): Promise<SourceRead & { fingerprint: string }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new ConfigError('CONFIG_DIR_UNREADABLE', `cannot read config directory ${dir}: ${err instanceof Error ? err.message : String(err)}; create it or pass another --config-dir`, { cause: err });
  }
  const names = entries
    .filter((e) => !e.name.startsWith('.') && (e.isFile() || e.isSymbolicLink()) && MANIFEST_EXTENSIONS.includes(extname(e.name).toLowerCase()))
    .map((e) => e.name)
    .sort();
  const hash = createHash('sha256');
  const units: SourceUnit[] = [];
  if (names.length > MAX_MANIFEST_FILES) {
    throw new ConfigError('CONFIG_DIR_UNREADABLE', `config directory ${dir} holds ${names.length} manifest files, more than the limit of ${MAX_MANIFEST_FILES}`);
  }
  for (const name of names) {
    let text: string;
    try {
      // Symlinks are followed: a ConfigMap volume is a tree of them (`name -> ..data/name`).
      text = await readTextFileLimited(join(dir, name), MAX_MANIFEST_FILE_BYTES);
    } catch (err) {
      if (isMissing(err)) continue; // removed (or being renamed over) since readdir: the next event re-reads
      const message = `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
      hash.update(`${name}\0!${message}\0`);
      units.push({ origin: { kind: 'file', path: name }, status: 'unreadable', message });
      continue;
    }
    hash.update(`${name}\0${text}\0`);
    units.push(parseManifestText(name, text));
  }
  return { units, fingerprint: hash.digest('hex') };
}

/** What the directory path names now: its real path and the inode behind it (a replaced or re-pointed directory differs). */
async function directoryIdentity(dir: string): Promise<string> {
  const real = await realpath(dir);
  const info = await stat(real);
  if (!info.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  return `${real}\0${info.dev}:${info.ino}:${info.birthtimeMs}`;
}

/**
 * The directory is watched by path, not by inode: besides a watch on the directory (edits,
 * rename-on-save, ConfigMap `..data` swaps), a watch on its parent and a slow poll notice when
 * the path names another directory (rm -rf and re-create, an atomic mv swap, a re-pointed
 * symlink), and the watch moves to it.
 */
export class FileConfigSource extends SnapshotSource {
  readonly dir: string;
  readonly #debounceMs: number;
  readonly #resyncIntervalMs: number;
  readonly #pollIntervalMs: number;
  #watcher: FSWatcher | undefined;
  #parentWatcher: FSWatcher | undefined;
  /** directoryIdentity of what #watcher watches; undefined while the directory is missing. */
  #watched: string | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #poll: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #missingReported = false;
  #watching = false;
  /** directoryIdentity when the last read began. */
  #readFrom: string | undefined;

  constructor(dir: string, options: FileConfigSourceOptions = {}) {
    const path = resolve(dir);
    super({ description: `dir:${path}`, label: `config directory ${path}`, origin: { kind: 'file', path } }, options);
    this.dir = path;
    this.#debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
    this.#resyncIntervalMs = options.resyncIntervalMs ?? RESYNC_INTERVAL_MS;
    this.#pollIntervalMs = options.pollIntervalMs ?? DIRECTORY_POLL_INTERVAL_MS;
  }

  protected override async prepare(): Promise<void> {
    let info;
    try {
      info = await stat(this.dir);
    } catch (err) {
      throw new ConfigError('CONFIG_DIR_UNREADABLE', `config directory ${this.dir} does not exist or cannot be read: ${err instanceof Error ? err.message : String(err)}; create it or pass another --config-dir`, { cause: err });
    }
    if (!info.isDirectory()) {
      throw new ConfigError('CONFIG_DIR_UNREADABLE', `config directory ${this.dir} is not a directory; --config-dir takes a folder of TrustPolicy/TrustStore YAML files`);
    }
  }

  protected async read(): Promise<SourceRead> {
    this.#readFrom = await directoryIdentity(this.dir).catch(() => undefined);
    const read = await readConfigDirectory(this.dir);
    // A reload from outside (SIGHUP, resync) also moves the watch to a replaced directory.
    if (this.#watching) await this.#check();
    return read;
  }

  protected async watch(): Promise<void> {
    this.#watching = true;
    this.#watchParent();
    await this.#check();
    if (this.#resyncIntervalMs > 0) {
      this.#resync = setInterval(() => this.#schedule(0), this.#resyncIntervalMs);
      this.#resync.unref();
    }
    if (this.#pollIntervalMs > 0) {
      this.#poll = setInterval(() => void this.#check(), this.#pollIntervalMs);
      this.#poll.unref();
    }
  }

  protected unwatch(): void {
    this.#watching = false;
    clearTimeout(this.#debounce);
    clearInterval(this.#resync);
    clearInterval(this.#poll);
    this.#closeWatcher();
    this.#parentWatcher?.close();
    this.#parentWatcher = undefined;
  }

  #schedule(delayMs: number = this.#debounceMs): void {
    if (this.closed) return;
    clearTimeout(this.#debounce);
    // While the directory is missing there is nothing to read: the warning was given, the last snapshot stays.
    this.#debounce = setTimeout(() => void this.#check().then(() => this.#watched !== undefined && this.requestReload()), delayMs);
    this.#debounce.unref();
  }

  #closeWatcher(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watched = undefined;
  }

  /** Make the watch follow what the path names now; warn once when it names nothing. */
  #check(): Promise<void> {
    // One at a time, each looking afresh: a check that joined one under way could miss what just changed.
    const next = (this.#checking ?? Promise.resolve()).then(() => this.#checkOnce());
    this.#checking = next;
    return next.finally(() => {
      if (this.#checking === next) this.#checking = undefined;
    });
  }

  async #checkOnce(): Promise<void> {
    let identity: string | undefined;
    try {
      identity = await directoryIdentity(this.dir);
    } catch (err) {
      if (!isMissing(err) || this.closed) return;
    }
    if (this.closed || (identity !== undefined && identity === this.#watched)) return;
    this.#closeWatcher();
    if (identity === undefined) {
      if (!this.#missingReported) {
        this.#missingReported = true;
        this.report({
          severity: 'warning',
          code: 'CONFIG_DIR_UNREADABLE',
          origin: { kind: 'file', path: this.dir },
          message: 'the config directory disappeared (removed, moved away, or its symlink re-pointed to nothing); the configuration in use stays until it is back, and the path is watched for it',
        });
      }
      return;
    }
    try {
      // The directory, not the files: editors replace files (rename-on-save), which a file watch loses.
      const watcher = watch(this.dir, { persistent: false }, () => this.#schedule());
      watcher.on('error', () => {
        if (this.#watcher === watcher) this.#closeWatcher();
        else watcher.close();
        this.#schedule();
      });
      this.#watcher = watcher;
      this.#watched = identity;
    } catch {
      return; // gone again between the stat and the watch: the parent watch or the poll tries again
    }
    this.#missingReported = false;
    // Another directory than the last read saw: read it.
    if (identity !== this.#readFrom) this.#schedule(0);
  }

  /** Events in the parent that name the directory: it was removed, created, renamed over or re-pointed. */
  #watchParent(): void {
    const name = basename(this.dir);
    try {
      const watcher = watch(dirname(this.dir), { persistent: false }, (_event, filename) => {
        if (filename === null || filename.toString() === name) this.#schedule();
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.#parentWatcher === watcher) this.#parentWatcher = undefined;
      });
      this.#parentWatcher = watcher;
    } catch {
      // The parent cannot be watched (permissions): the poll still notices a replaced directory.
    }
  }
}
