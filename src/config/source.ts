// The contract every configuration source implements (files now, Kubernetes CRD watches next; see source-base.ts for how one plugs in).
import type { ConfigIssue, ConfigSnapshot } from './snapshot.js';

/** What one reload attempt did; listeners log it and count it. */
export interface ConfigReloadEvent {
  /** e.g. `dir:/etc/imgverify` */
  source: string;
  /** False when any resource was rejected or the source could not be read (good parts still apply). */
  ok: boolean;
  /** The snapshot now in use (a new one, or the old one when nothing could be read). */
  snapshot: ConfigSnapshot;
  previous: ConfigSnapshot;
  issues: readonly ConfigIssue[];
  durationMs: number;
}

/**
 * A source of TrustPolicy / TrustStore resources that emits immutable snapshots. A snapshot is
 * built whole and validated before it replaces the current one, so a reader never sees a
 * half-applied change. A Kubernetes-backed source (CRD list/watch) implements the same contract.
 */
export interface ConfigSource {
  readonly description: string;
  /** Read the first snapshot and start watching for changes; rejects when the source cannot be read at all. */
  start(): Promise<ConfigSnapshot>;
  /** The snapshot in use (EMPTY_SNAPSHOT, generation 0, before start). */
  current(): ConfigSnapshot;
  /** True once a first snapshot was loaded. */
  readonly ready: boolean;
  /** Called after every reload attempt that found something changed (or failed). Returns an unsubscribe function. */
  subscribe(listener: (event: ConfigReloadEvent) => void): () => void;
  /** Re-read now (also what the watcher calls); resolves with the event of this attempt. */
  reload(): Promise<ConfigReloadEvent>;
  close(): Promise<void>;
}
