// The Kubernetes API clients of one process: kubeconfig (--kubeconfig) or in-cluster service account, every call bounded in time.
import {
  AdmissionregistrationV1Api,
  ApiException,
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
} from '@kubernetes/client-node';
import { withDeadline } from '../common/index.js';
import { API_CALL_TIMEOUT_MS } from './constants.js';
import { KubernetesError } from './errors.js';

export interface KubernetesApi {
  readonly config: KubeConfig;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly authentication: AuthenticationV1Api;
  /** Webhook configurations (the admission webhook's leader writes its own). */
  readonly admissionRegistration: AdmissionregistrationV1Api;
  /** Most milliseconds one call may take. */
  readonly callTimeoutMs: number;
}

export interface LoadKubeConfigOptions {
  /** `--kubeconfig`: the kubeconfig ($KUBECONFIG or ~/.kube/config), or this file; otherwise the in-cluster service account. */
  local: boolean;
  kubeconfigPath?: string;
}

/** Load the cluster connection: the kubeconfig with --kubeconfig, in-cluster config otherwise (the peer knows only the latter). */
export function loadKubeConfig(options: LoadKubeConfigOptions): KubeConfig {
  const config = new KubeConfig();
  try {
    if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
    else if (options.local) config.loadFromDefault();
    else config.loadFromCluster();
  } catch (err) {
    throw new KubernetesError('KUBECONFIG_UNAVAILABLE', `cannot load the ${options.local ? 'kubeconfig' : 'in-cluster configuration'}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubernetesError(
      'KUBECONFIG_UNAVAILABLE',
      options.local
        ? 'the kubeconfig names no current cluster; set KUBECONFIG or run kubectl config use-context'
        : 'no in-cluster service account (KUBERNETES_SERVICE_HOST is unset); run in a pod, or pass --kubeconfig to use the kubeconfig',
    );
  }
  return config;
}

export function createKubernetesApi(config: KubeConfig, callTimeoutMs = API_CALL_TIMEOUT_MS): KubernetesApi {
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    custom: config.makeApiClient(CustomObjectsApi),
    coordination: config.makeApiClient(CoordinationV1Api),
    authentication: config.makeApiClient(AuthenticationV1Api),
    admissionRegistration: config.makeApiClient(AdmissionregistrationV1Api),
    callTimeoutMs,
  };
}

/** Per-call options that abort the HTTP request with `signal` (the generated clients take no signal otherwise). */
function signalOptions(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** HTTP status of a failed call, when the API server answered. */
export function apiStatus(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  if (err instanceof KubernetesError && err.cause instanceof ApiException) return err.cause.code;
  return undefined;
}

/**
 * Run one API call with the call timeout (and `parent`, when given). Failures become a
 * KubernetesError that says what was attempted; the API server's status stays in `cause`.
 */
export async function callApi<T>(
  api: KubernetesApi,
  what: string,
  call: (options: ConfigurationOptions) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  try {
    return await withDeadline([parent], { timeoutMs: api.callTimeoutMs, timeoutMessage: `${what}: no answer within ${api.callTimeoutMs} ms` }, (signal) => call(signalOptions(signal)));
  } catch (err) {
    const detail = err instanceof ApiException ? `HTTP ${err.code}${statusMessage(err.body)}` : err instanceof Error ? err.message : String(err);
    throw new KubernetesError('KUBERNETES_API_ERROR', `${what}: ${detail}`, { cause: err });
  }
}

function statusMessage(body: unknown): string {
  const text = typeof body === 'string' ? body : '';
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    return typeof message === 'string' ? `: ${message}` : '';
  } catch {
    return '';
  }
}
