// Prometheus metrics of the admission webhook, registered in the service's registry: requests by result, latency, per-policy rule results.
import { Counter, Histogram, type Registry } from 'prom-client';

/** From a warm answer (sub-millisecond) to one near the 30 s ceiling of timeoutSeconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type WebhookType = 'mutate' | 'validate';
/** How a request ended: admitted (with or without a patch, or untouched: nothing to check), refused, or undecided in time. */
export type AdmissionResult = 'allowed' | 'patched' | 'unchanged' | 'denied' | 'timeout' | 'error' | 'invalid';

export class WebhookMetrics {
  readonly requests: Counter<'webhook' | 'result' | 'failure_policy'>;
  readonly duration: Histogram<'webhook'>;
  readonly ruleResults: Counter<'policy' | 'rule' | 'status'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'imgverify_admission_requests_total',
      help: 'AdmissionReview requests by webhook (mutate, validate), result and the endpoint\'s failure policy.',
      labelNames: ['webhook', 'result', 'failure_policy'],
      registers,
    });
    this.duration = new Histogram({
      name: 'imgverify_admission_request_duration_seconds',
      help: 'Time to answer an AdmissionReview, by webhook.',
      labelNames: ['webhook'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ruleResults = new Counter({
      name: 'imgverify_admission_policy_results_total',
      help: 'verifyImages rule results at admission, by policy, rule and status (pass, fail, warn, error, skip).',
      labelNames: ['policy', 'rule', 'status'],
      registers,
    });
  }
}
