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
import { parseManifestText, type ManifestFile } from './manifests.js';
import { buildSnapshot, EMPTY_SNAPSHOT, type ConfigSnapshot, type ConfigValidators } from './snapshot.js';
import type { ConfigReloadEvent, ConfigSource } from './source.js';

export interface FileConfigSourceOptions {
  validators?: ConfigValidators;
  debounceMs?: number;
  /** 0 disables the periodic full re-read. */
  resyncIntervalMs?: number;
}

interface DirectoryRead {
  files: ManifestFile[];
  /** sha256 over every file name and content: equal fingerprints mean nothing to rebuild. */
  fingerprint: string;
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
export async function readConfigDirectory(dir: string): Promise<DirectoryRead> {
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
  const files: ManifestFile[] = [];
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
      files.push({ file: name, status: 'unreadable', message });
      continue;
    }
    hash.update(`${name}\0${text}\0`);
    files.push(parseManifestText(name, text));
  }
  return { files, fingerprint: hash.digest('hex') };
}

export class FileConfigSource implements ConfigSource {
  readonly description: string;
  readonly dir: string;
  #options: Required<Omit<FileConfigSourceOptions, 'validators'>> & { validators: ConfigValidators };
  #snapshot: ConfigSnapshot = EMPTY_SNAPSHOT;
  #fingerprint: string | undefined;
  #listeners = new Set<(event: ConfigReloadEvent) => void>();
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #rewatch: NodeJS.Timeout | undefined;
  #running: Promise<ConfigReloadEvent> | undefined;
  #again = false;
  #closed = false;
  #ready = false;

  constructor(dir: string, options: FileConfigSourceOptions = {}) {
    this.dir = resolve(dir);
    this.description = `dir:${this.dir}`;
    this.#options = {
      validators: options.validators ?? {},
      debounceMs: options.debounceMs ?? WATCH_DEBOUNCE_MS,
      resyncIntervalMs: options.resyncIntervalMs ?? RESYNC_INTERVAL_MS,
    };
  }

  get ready(): boolean {
    return this.#ready;
  }

  current(): ConfigSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (event: ConfigReloadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<ConfigSnapshot> {
    let info;
    try {
      info = await stat(this.dir);
    } catch (err) {
      throw new ConfigError('CONFIG_DIR_UNREADABLE', `config directory ${this.dir} does not exist or cannot be read: ${err instanceof Error ? err.message : String(err)}; create it or pass another --config-dir`, { cause: err });
    }
    if (!info.isDirectory()) {
      throw new ConfigError('CONFIG_DIR_UNREADABLE', `config directory ${this.dir} is not a directory; --config-dir takes a folder of TrustPolicy/TrustStore YAML files`);
    }
    const event = await this.reload();
    if (this.#snapshot === EMPTY_SNAPSHOT) {
      const reason = event.issues[0]?.message ?? 'unknown error';
      throw new ConfigError('CONFIG_DIR_UNREADABLE', `could not load config directory ${this.dir}: ${reason}`);
    }
    this.#watch();
    if (this.#options.resyncIntervalMs > 0) {
      this.#resync = setInterval(() => this.#schedule(0), this.#options.resyncIntervalMs);
      this.#resync.unref();
    }
    return this.#snapshot;
  }

  reload(): Promise<ConfigReloadEvent> {
    if (this.#running) {
      // A change landed while reading: read once more afterwards so it is not missed.
      this.#again = true;
      return this.#running;
    }
    const run = this.#reloadOnce().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#closed) {
        this.#again = false;
        void this.reload();
      }
    });
    this.#running = run;
    return run;
  }

  async #reloadOnce(): Promise<ConfigReloadEvent> {
    const started = performance.now();
    const previous = this.#snapshot;
    let read: DirectoryRead;
    try {
      read = await readConfigDirectory(this.dir);
    } catch (err) {
      const event: ConfigReloadEvent = {
        source: this.description,
        ok: false,
        snapshot: previous,
        previous,
        issues: [{ severity: 'error', code: 'CONFIG_DIR_UNREADABLE', file: this.dir, message: err instanceof Error ? err.message : String(err) }],
        durationMs: performance.now() - started,
      };
      this.#emit(event);
      return event;
    }
    if (read.fingerprint === this.#fingerprint) {
      return { source: this.description, ok: true, snapshot: previous, previous, issues: previous.issues, durationMs: performance.now() - started };
    }
    const next = buildSnapshot(read.files, previous, { validators: this.#options.validators });
    if (this.#closed) {
      return { source: this.description, ok: true, snapshot: previous, previous, issues: [], durationMs: performance.now() - started };
    }
    this.#fingerprint = read.fingerprint;
    this.#snapshot = next;
    this.#ready = true;
    const event: ConfigReloadEvent = {
      source: this.description,
      ok: !next.issues.some((i) => i.severity === 'error'),
      snapshot: next,
      previous,
      issues: next.issues,
      durationMs: performance.now() - started,
    };
    this.#emit(event);
    return event;
  }

  #emit(event: ConfigReloadEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the others or the watcher.
      }
    }
  }

  #schedule(delayMs: number = this.#options.debounceMs): void {
    if (this.#closed) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.reload(), delayMs);
    this.#debounce.unref();
  }

  #watch(): void {
    if (this.#closed) return;
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
    if (this.#closed) return;
    clearTimeout(this.#rewatch);
    this.#rewatch = setTimeout(() => {
      this.#watch();
      this.#schedule(0);
    }, REWATCH_DELAY_MS);
    this.#rewatch.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    clearTimeout(this.#rewatch);
    clearInterval(this.#resync);
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#listeners.clear();
    await this.#running?.catch(() => undefined);
  }
}
