// The machinery every configuration source shares: coalesced reloads, validation and compiling, atomic swap, listeners.
//
// How a new source plugs in (the file source is one, src/kube/config-source.ts the other):
//   1. extend SnapshotSource and pass a description (`dir:/etc/imgverify`), a label for messages
//      (`config directory /etc/imgverify`) and the origin of source-wide issues;
//   2. implement `read()`: every unit afresh (a file, a Kubernetes object) as SourceUnit, each
//      document with its origin, plus a fingerprint when cheap (equal fingerprints publish nothing);
//      throw a ConfigError when the source as a whole cannot be read (the snapshot in use stays);
//   3. implement `watch()` / `unwatch()`: on any change call `requestReload()`; the base runs at
//      most one read at a time and reads once more if a change landed meanwhile; `report()` tells
//      the listeners about a problem noticed outside a read (the source went away);
//   4. optionally `prepare()`: checks before the first read (a start-up error, not an issue).
// The base validates each document against the kind registry, keeps the last good version of a
// resource whose new version is invalid, compiles trust policy entries once, and swaps the new
// snapshot in whole before it tells the listeners.
import { ConfigError, type ConfigErrorCode } from './errors.js';
import type { ResourceKind, ConfigValidators } from './kinds.js';
import type { ResourceOrigin, SourceUnit } from './origin.js';
import { buildSnapshot, EMPTY_SNAPSHOT, type ConfigIssue, type ConfigSnapshot } from './snapshot.js';
import type { ConfigReloadEvent, ConfigSource } from './source.js';

/** One full read of a source. */
export interface SourceRead {
  units: SourceUnit[];
  /** Equal for equal content (e.g. a hash of every name and byte): an equal read publishes nothing. */
  fingerprint?: string;
}

export interface SnapshotSourceOptions {
  validators?: ConfigValidators;
  /** The kinds read (default: every kind of RESOURCE_KINDS). */
  kinds?: ReadonlyMap<string, ResourceKind>;
}

export interface SourceIdentity {
  /** e.g. `dir:/etc/imgverify`; names the source in reload events and logs. */
  description: string;
  /** e.g. `config directory /etc/imgverify`; used in `could not load …`. */
  label: string;
  /** What issues about the source as a whole (it cannot be read) name. */
  origin: ResourceOrigin;
}

export abstract class SnapshotSource implements ConfigSource {
  readonly description: string;
  readonly #identity: SourceIdentity;
  readonly #options: SnapshotSourceOptions;
  #snapshot: ConfigSnapshot = EMPTY_SNAPSHOT;
  #fingerprint: string | undefined;
  #listeners = new Set<(event: ConfigReloadEvent) => void>();
  #running: Promise<ConfigReloadEvent> | undefined;
  #again = false;
  #closed = false;
  #ready = false;

  protected constructor(identity: SourceIdentity, options: SnapshotSourceOptions = {}) {
    this.description = identity.description;
    this.#identity = identity;
    this.#options = options;
  }

  /** Every unit afresh; throws (a ConfigError) when the source as a whole cannot be read. */
  protected abstract read(): Promise<SourceRead>;
  /** Start noticing changes (called once, after the first snapshot; `start()` waits for it); call `requestReload()` on each. */
  protected abstract watch(): void | Promise<void>;
  /** Stop noticing changes and release what `watch` holds. */
  protected abstract unwatch(): void;
  /** Checks before the first read; a rejection fails `start()`. */
  protected async prepare(): Promise<void> {}

  get ready(): boolean {
    return this.#ready;
  }

  protected get closed(): boolean {
    return this.#closed;
  }

  current(): ConfigSnapshot {
    return this.#snapshot;
  }

  subscribe(listener: (event: ConfigReloadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<ConfigSnapshot> {
    await this.prepare();
    const event = await this.reload();
    if (!this.#ready) {
      const first = event.issues[0];
      throw new ConfigError(first?.code ?? 'CONFIG_SOURCE_UNREADABLE', `could not load ${this.#identity.label}: ${first?.message ?? 'unknown error'}`);
    }
    await this.watch();
    return this.#snapshot;
  }

  /** Re-read soon, coalesced with a read under way (what watchers call). */
  protected requestReload(): void {
    if (!this.#closed) void this.reload();
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
    const unchanged = (issues: ConfigReloadEvent['issues']): ConfigReloadEvent => ({
      source: this.description,
      ok: true,
      snapshot: previous,
      previous,
      issues,
      durationMs: performance.now() - started,
    });
    let read: SourceRead;
    try {
      read = await this.read();
    } catch (err) {
      const code: ConfigErrorCode = err instanceof ConfigError ? err.code : 'CONFIG_SOURCE_UNREADABLE';
      const event: ConfigReloadEvent = {
        ...unchanged([{ severity: 'error', code, origin: this.#identity.origin, message: err instanceof Error ? err.message : String(err) }]),
        ok: false,
      };
      this.#emit(event);
      return event;
    }
    if (read.fingerprint !== undefined && read.fingerprint === this.#fingerprint) return unchanged(previous.issues);
    const next = buildSnapshot(read.units, previous, {
      ...(this.#options.validators ? { validators: this.#options.validators } : {}),
      ...(this.#options.kinds ? { kinds: this.#options.kinds } : {}),
    });
    if (this.#closed) return unchanged([]);
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

  /** Tell the listeners about something outside a read (the source went away, ...); the snapshot in use stays. */
  protected report(issue: ConfigIssue): void {
    if (this.#closed) return;
    const snapshot = this.#snapshot;
    this.#emit({ source: this.description, ok: false, snapshot, previous: snapshot, issues: [issue], durationMs: 0 });
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

  async close(): Promise<void> {
    this.#closed = true;
    this.unwatch();
    this.#listeners.clear();
    await this.#running?.catch(() => undefined);
  }
}
