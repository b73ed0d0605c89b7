// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection: optimistic concurrency, local observation times, renew deadline.
//
// A candidate takes the Lease when it is free or its holder has not renewed it for a lease
// duration *as observed on this replica's own clock* (no trust in other replicas' clocks). The
// leader renews every retry period; when it cannot renew within the renew deadline it stops
// leading (onStoppedLeading) and becomes a candidate again. Writes carry the resourceVersion
// read, so two candidates can never both win: the API server answers the loser 409 Conflict.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiStatus, callApi, type KubernetesApi } from './api.js';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS, LEASE_NAME } from './constants.js';
import { KubernetesError } from './errors.js';
import type { KubernetesMetrics } from './metrics.js';

export interface LeaderElectorOptions {
  api: KubernetesApi;
  namespace: string;
  /** This replica's identity (the pod name, plus a random suffix). */
  identity: string;
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: Logger;
  metrics?: KubernetesMetrics;
  /** Became leader: start the leader's work; `signal` aborts when leadership ends. */
  onStartedLeading: (signal: AbortSignal) => void;
  onStoppedLeading?: () => void;
}

function millis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'string' ? Date.parse(value) : Number.NaN;
}

export class LeaderElector {
  #options: LeaderElectorOptions;
  #leaseDurationMs: number;
  #renewDeadlineMs: number;
  #retryPeriodMs: number;
  /** The holder/renewTime last seen, and when (our clock) it last changed. */
  #observed: { record: string; at: number } | undefined;
  #lastRenewal = 0;
  #leading: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  #round: Promise<void> = Promise.resolve();

  constructor(options: LeaderElectorOptions) {
    this.#options = options;
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs && this.#renewDeadlineMs > this.#retryPeriodMs && this.#retryPeriodMs > 0)) {
      throw new KubernetesError(
        'INVALID_KUBERNETES_OPTION',
        `leader election needs --leader-elect-lease-duration > --leader-elect-renew-deadline > --leader-elect-retry-period > 0, got ${this.#leaseDurationMs} ms, ${this.#renewDeadlineMs} ms, ${this.#retryPeriodMs} ms`,
      );
    }
  }

  get isLeader(): boolean {
    return this.#leading !== undefined;
  }

  get identity(): string {
    return this.#options.identity;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#tick();
  }

  /** Stop campaigning; a leader releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    if (this.#leading) {
      this.#stopLeading();
      await this.#release().catch((err: unknown) => this.#options.logger.warn({ err }, 'cannot release the leader Lease'));
    }
  }

  #tick(): void {
    if (this.#stopped) return;
    this.#round = this.#attempt().finally(() => {
      if (this.#stopped) return;
      this.#timer = setTimeout(() => this.#tick(), this.#retryPeriodMs);
      this.#timer.unref();
    });
  }

  async #attempt(): Promise<void> {
    let acquired = false;
    try {
      acquired = await this.#tryAcquireOrRenew();
    } catch (err) {
      this.#options.logger.warn({ err, lease: this.#leaseName }, 'leader election: cannot read or write the Lease');
    }
    const now = Date.now();
    if (acquired) {
      this.#lastRenewal = now;
      if (!this.#leading) {
        this.#leading = new AbortController();
        this.#options.metrics?.leader.set(1);
        this.#options.logger.info({ lease: this.#leaseName, identity: this.identity }, 'became leader');
        this.#options.onStartedLeading(this.#leading.signal);
      }
    } else if (this.#leading && now - this.#lastRenewal >= this.#renewDeadlineMs) {
      this.#options.logger.warn({ lease: this.#leaseName, identity: this.identity }, 'lost leadership: the Lease was not renewed within the renew deadline');
      this.#stopLeading();
    }
  }

  get #leaseName(): string {
    return this.#options.leaseName ?? LEASE_NAME;
  }

  #stopLeading(): void {
    const leading = this.#leading;
    if (!leading) return;
    this.#leading = undefined;
    this.#options.metrics?.leader.set(0);
    leading.abort(new DOMException('leadership lost', 'AbortError'));
    this.#options.onStoppedLeading?.();
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { api, namespace } = this.#options;
    const name = this.#leaseName;
    const now = Date.now();
    const durationSeconds = Math.max(1, Math.ceil(this.#leaseDurationMs / 1000));
    let lease: V1Lease;
    try {
      lease = await callApi(api, `read Lease ${namespace}/${name}`, (call) => api.coordination.readNamespacedLease({ name, namespace }, call));
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: { holderIdentity: this.identity, leaseDurationSeconds: durationSeconds, acquireTime: new V1MicroTime(now), renewTime: new V1MicroTime(now), leaseTransitions: 0 },
      };
      try {
        await callApi(api, `create Lease ${namespace}/${name}`, (call) => api.coordination.createNamespacedLease({ namespace, body }, call));
      } catch (createErr) {
        if (apiStatus(createErr) === 409) return false; // another replica created it first
        throw createErr;
      }
      this.#observed = { record: `${this.identity}@${now}`, at: now };
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const record = `${holder}@${String(millis(spec.renewTime))}`;
    if (this.#observed?.record !== record) this.#observed = { record, at: now };
    const heldByOther = holder !== '' && holder !== this.identity;
    const expiresAt = (this.#observed?.at ?? now) + (spec.leaseDurationSeconds ? spec.leaseDurationSeconds * 1000 : this.#leaseDurationMs);
    if (heldByOther && expiresAt > now) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: durationSeconds,
        renewTime: new V1MicroTime(now),
        acquireTime: holder === this.identity ? (spec.acquireTime ?? new V1MicroTime(now)) : new V1MicroTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === this.identity ? 0 : 1),
      },
    };
    try {
      await callApi(api, `update Lease ${namespace}/${name}`, (call) => api.coordination.replaceNamespacedLease({ name, namespace, body }, call));
    } catch (err) {
      if (apiStatus(err) === 409) return false; // someone else wrote it since we read it
      throw err;
    }
    this.#observed = { record: `${this.identity}@${now}`, at: now };
    return true;
  }

  async #release(): Promise<void> {
    const { api, namespace } = this.#options;
    const name = this.#leaseName;
    const lease = await callApi(api, `read Lease ${namespace}/${name}`, (call) => api.coordination.readNamespacedLease({ name, namespace }, call));
    if (lease.spec?.holderIdentity !== this.identity) return;
    const body: V1Lease = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(Date.now()) } };
    await callApi(api, `release Lease ${namespace}/${name}`, (call) => api.coordination.replaceNamespacedLease({ name, namespace, body }, call));
  }
}
