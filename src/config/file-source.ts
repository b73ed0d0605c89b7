// The embedded default configuration source: a directory of TrustPolicy/TrustStore YAML manifests, watched.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { readFileLimited } from '../common/index.js';
import {
  MANIFEST_EXTENSIONS,
  MAX_MANIFEST_FILE_BYTES,
  MAX_MANIFEST_FILES,
  RESYNC_INTERVAL_MS,
  REWATCH_DELAY_MS,
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
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function readBounded(path: string): Promise<string> {
  // Symlinks are followed: a ConfigMap volume is a tree of them (`name -> ..data/name`).
  const bytes = await readFileLimited(path, MAX_MANIFEST_FILE_BYTES, (problem) => {
    switch (problem.reason) {
      case 'unreadable':
        return problem.cause instanceof Error ? problem.cause : new Error(String(problem.cause));
      case 'not-a-file':
        return new Error('is not a regular file');
      case 'too-large':
        return new Error(
          problem.growing
            ? `grew past the limit of ${MAX_MANIFEST_FILE_BYTES} bytes while being read`
            : `is ${problem.size} bytes, more than the limit of ${MAX_MANIFEST_FILE_BYTES}`,
        );
    }
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
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
      text = await readBounded(join(dir, name));
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

export class FileConfigSource extends SnapshotSource {
  readonly dir: string;
  readonly #debounceMs: number;
  readonly #resyncIntervalMs: number;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #rewatch: NodeJS.Timeout | undefined;

  constructor(dir: string, options: FileConfigSourceOptions = {}) {
    const path = resolve(dir);
    super({ description: `dir:${path}`, label: `config directory ${path}`, origin: { kind: 'file', path } }, options);
    this.dir = path;
    this.#debounceMs = options.debounceMs ?? WATCH_DEBOUNCE_MS;
    this.#resyncIntervalMs = options.resyncIntervalMs ?? RESYNC_INTERVAL_MS;
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

  protected read(): Promise<SourceRead> {
    return readConfigDirectory(this.dir);
  }

  protected watch(): void {
    this.#watch();
    if (this.#resyncIntervalMs > 0) {
      this.#resync = setInterval(() => this.#schedule(0), this.#resyncIntervalMs);
      this.#resync.unref();
    }
  }

  protected unwatch(): void {
    clearTimeout(this.#debounce);
    clearTimeout(this.#rewatch);
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

  #watch(): void {
    if (this.closed) return;
    try {
      // The directory, not the files: editors replace files (rename-on-save), which a file watch loses.
      const watcher = watch(this.dir, { persistent: false }, () => this.#schedule());
      watcher.on('error', () => {
        watcher.close();
        if (this.#watcher === watcher) this.#watcher = undefined;
        this.#retryWatch();
      });
      this.#watcher = watcher;
    } catch {
      this.#retryWatch();
    }
  }

  #retryWatch(): void {
    if (this.closed) return;
    clearTimeout(this.#rewatch);
    this.#rewatch = setTimeout(() => {
      this.#watch();
      this.#schedule(0);
    }, REWATCH_DELAY_MS);
    this.#rewatch.unref();
  }
}
