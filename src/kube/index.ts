// Public face of the Kubernetes domain: API clients, the CRD config source, pull secrets, plugin config, token review, leader election, TLS Secrets, Events.
export { apiStatus, callApi, createKubernetesApi, loadKubeConfig, type KubernetesApi, type LoadKubeConfigOptions } from './api.js';
export * from './constants.js';
export { KubernetesError, type KubernetesErrorCode } from './errors.js';
export { KubernetesConfigSource, type KubernetesConfigSourceOptions, type KubernetesSourceHealth } from './config-source.js';
export { EventRecorder, type InvolvedObject } from './events.js';
export { LeaderElector, type LeaderElectorOptions } from './leader.js';
export { KubernetesMetrics } from './metrics.js';
export { pluginConfigFrom, readPluginConfig } from './plugin-config.js';
export { KubernetesPullSecrets, pullSecretAuths, type PullSecretsOptions } from './pull-secrets.js';
export { certificateNotAfter, TlsSecrets, tlsSecretNames, type CertificateIssuer, type PemPair, type TlsSecretsOptions } from './tls-secrets.js';
export { createTokenReviewer, type KubernetesTokenReviewerOptions, type ReviewedToken } from './token-review.js';
export { CollectionWatch, type CollectionWatchOptions } from './watch.js';
