// An informer that does not give up: client-node's ListWatch plus bookmarks, a server-side watch timeout, retry with backoff after errors, and resync.
//
// client-node's ListWatch resumes a watch that ended normally from its last resourceVersion and
// relists after 410 Gone, but stops for good after any other error (API server unreachable, a
// reset connection). Here such an error marks the collection disconnected and starts the
// ListWatch again after a growing delay: it resumes from the last resourceVersion, so no update
// is missed, or relists when that version has expired.
import { ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesApi } from './api.js';
import { RESYNC_INTERVAL_MS, WATCH_RETRY_MAX_MS, WATCH_RETRY_MIN_MS, WATCH_TIMEOUT_SECONDS } from './constants.js';

export interface CollectionWatchOptions<T extends KubernetesObject> {
  api: KubernetesApi;
  /** API path of the collection, e.g. `/apis/notation.nirmata.io/v1alpha1/trustpolicies`. */
  path: string;
  /** The list call (through a generated client); resolves with the list and its resourceVersion. */
  list: () => Promise<KubernetesListObject<T>>;
  /** `metadata.name=x`: watch one object. */
  fieldSelector?: string;
  /** Something in the collection changed, or it was relisted, or a resync is due: read `objects()`. */
  onChange: () => void;
  /** The collection became reachable (list or watch succeeded) or not (with the error). */
  onConnectivity?: (connected: boolean, error?: unknown) => void;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** 0 disables the periodic resync. */
  resyncIntervalMs?: number;
  watchTimeoutSeconds?: number;
}

/** A Watch that says when the API server accepted the watch request (a resumed watch may see no event for minutes). */
class OpenedWatch extends Watch {
  readonly #onOpen: () => void;

  constructor(config: KubernetesApi['config'], onOpen: () => void) {
    super(config);
    this.#onOpen = onOpen;
  }

  override async watch(...[path, query, callback, done]: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    let failed = false;
    const controller = await super.watch(path, query, callback, (err: unknown) => {
      if (err) failed = true;
      done(err);
    });
    if (!failed) this.#onOpen();
    return controller;
  }
}

export class CollectionWatch<T extends KubernetesObject> {
  readonly path: string;
  #options: CollectionWatchOptions<T>;
  #informer: ListWatch<T>;
  #retryMs: number;
  #retry: NodeJS.Timeout | undefined;
  #resync: NodeJS.Timeout | undefined;
  #stopped = true;
  #synced = false;
  #connected = false;
  #lastError: unknown;
  #firstSync: { promise: Promise<void>; resolve: () => void };

  constructor(options: CollectionWatchOptions<T>) {
    this.path = options.path;
    this.#options = options;
    this.#retryMs = options.retryMinMs ?? WATCH_RETRY_MIN_MS;
    let resolve = (): void => undefined;
    this.#firstSync = { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    // Bookmarks keep the resourceVersion fresh on quiet collections, so a resumed watch rarely meets 410.
    const query = new URLSearchParams({ allowWatchBookmarks: 'true', timeoutSeconds: String(options.watchTimeoutSeconds ?? WATCH_TIMEOUT_SECONDS) });
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      this.#synced = true;
      this.#setConnected(true);
      // After the ListWatch has stored the list (its callbacks fire only for differences): it does so
      // in the continuation of this promise, which runs before the next macrotask.
      setImmediate(() => {
        this.#firstSync.resolve();
        options.onChange();
      });
      return result;
    };
    this.#informer = new ListWatch<T>(`${options.path}?${query.toString()}`, new OpenedWatch(options.api.config, () => this.#setConnected(true)), list, false, undefined, options.fieldSelector);
    const changed = (): void => {
      this.#setConnected(true);
      options.onChange();
    };
    this.#informer.on('add', changed);
    this.#informer.on('update', changed);
    this.#informer.on('delete', changed);
    this.#informer.on('error', (err: unknown) => this.#failed(err));
  }

  /** True once a list succeeded: `objects()` is the collection as of then, kept current by the watch. */
  get synced(): boolean {
    return this.#synced;
  }

  /** False after a failed list or watch, until the next one succeeds. */
  get connected(): boolean {
    return this.#connected;
  }

  get lastError(): unknown {
    return this.#lastError;
  }

  objects(): readonly T[] {
    return this.#informer.list();
  }

  /** Start listing and watching; resolves once the first list succeeded or `timeoutMs` passed (then keeps trying). */
  async start(timeoutMs: number): Promise<boolean> {
    this.#stopped = false;
    void this.#informer.start();
    const resync = this.#options.resyncIntervalMs ?? RESYNC_INTERVAL_MS;
    if (resync > 0) {
      this.#resync = setInterval(() => this.#options.onChange(), resync);
      this.#resync.unref();
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    const synced = await Promise.race([this.#firstSync.promise.then(() => true), timedOut]);
    clearTimeout(timer);
    return synced;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#resync);
    await this.#informer.stop();
  }

  #setConnected(connected: boolean, error?: unknown): void {
    if (connected) this.#retryMs = this.#options.retryMinMs ?? WATCH_RETRY_MIN_MS;
    if (connected === this.#connected && connected) return;
    this.#connected = connected;
    if (!connected) this.#lastError = error;
    this.#options.onConnectivity?.(connected, error);
  }

  #failed(err: unknown): void {
    if (this.#stopped) return;
    this.#setConnected(false, err);
    clearTimeout(this.#retry);
    const delay = this.#retryMs;
    this.#retryMs = Math.min(delay * 2, this.#options.retryMaxMs ?? WATCH_RETRY_MAX_MS);
    this.#retry = setTimeout(() => {
      if (!this.#stopped) void this.#informer.start();
    }, delay);
    this.#retry.unref();
  }
}
