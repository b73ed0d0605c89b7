// Prometheus metrics of Kubernetes mode, registered on the service's registry (no global state).
import { Counter, Gauge, type Registry } from 'prom-client';

export class KubernetesMetrics {
  readonly invalidResources: Counter<'kind'>;
  readonly apiConnected: Gauge<'collection'>;
  readonly tokenReviews: Counter<'result'>;
  readonly leader: Gauge;
  readonly certificateRotations: Counter<'secret'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.invalidResources = new Counter({
      name: 'imgverify_kubernetes_invalid_resources_total',
      help: 'TrustPolicy/TrustStore resource versions rejected (the last good version stays in use), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.apiConnected = new Gauge({
      name: 'imgverify_kubernetes_api_connected',
      help: '1 while the watch of a collection is connected to the API server; 0 while the last config is served without it.',
      labelNames: ['collection'],
      registers,
    });
    this.tokenReviews = new Counter({
      name: 'imgverify_token_reviews_total',
      help: 'Caller token checks by result: allowed, denied (not authenticated or not an allowed user), cached_allowed, cached_denied, error.',
      labelNames: ['result'],
      registers,
    });
    this.leader = new Gauge({ name: 'imgverify_leader', help: '1 while this replica holds the leader Lease.', registers });
    this.certificateRotations = new Counter({
      name: 'imgverify_tls_secret_writes_total',
      help: 'TLS Secrets created or rotated by this replica as leader, by Secret (ca or pair).',
      labelNames: ['secret'],
      registers,
    });
  }
}
