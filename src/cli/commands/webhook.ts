// `imgverify webhook`: flags into WebhookOptions, start it, stop on SIGTERM/SIGINT (in-flight admissions finish).
import { createLogger, DEFAULT_WEBHOOK_NAMESPACE, parseListenAddress, startWebhook } from '../../service/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, processOutput } from '../flags.js';
import { reportError } from '../options.js';

export interface WebhookCommandOptions {
  /** true: $KUBECONFIG or ~/.kube/config; a path: that file; absent: the in-cluster service account. */
  kubeconfig?: boolean | string;
  namespace?: string;
  serviceName: string;
  listen: string;
  metricsBindAddress: string;
  healthProbeBindAddress: string;
  answerTimeout: string;
  kyvernoPolicies: boolean;
  leaderElect: boolean;
  leaseName: string;
  excludeNamespace: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export async function runWebhook(options: WebhookCommandOptions): Promise<number> {
  try {
    const answerTimeoutMs = Number(options.answerTimeout);
    if (!Number.isInteger(answerTimeoutMs) || answerTimeoutMs <= 0) throw new CliError('USAGE', `--answer-timeout takes milliseconds (a positive integer), got ${JSON.stringify(options.answerTimeout)}`);
    const listen = parseListenAddress(options.listen, '--listen');
    if (!listen) throw new CliError('USAGE', '--listen cannot be disabled');
    const metrics = parseListenAddress(options.metricsBindAddress, '--metrics-bind-address');
    const health = parseListenAddress(options.healthProbeBindAddress, '--health-probe-bind-address');
    const logger = createLogger({ level: options.logLevel });
    const webhook = await startWebhook({
      kubernetes: {
        local: options.kubeconfig !== undefined,
        ...(typeof options.kubeconfig === 'string' ? { kubeconfigPath: options.kubeconfig } : {}),
        namespace: options.namespace ?? process.env.POD_NAMESPACE ?? DEFAULT_WEBHOOK_NAMESPACE,
        leaderElect: options.leaderElect,
        leaseName: options.leaseName,
      },
      serviceName: options.serviceName,
      listen,
      ...(metrics ? { metrics } : {}),
      ...(health ? { health } : {}),
      answerTimeoutMs,
      kyvernoPolicies: options.kyvernoPolicies,
      excludedNamespaces: options.excludeNamespace,
      logger,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info({ signal }, 'shutting down: finishing in-flight admissions');
        webhook.close().then(resolve, resolve);
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
    return EXIT_OK;
  } catch (err) {
    return reportError(processOutput, err);
  }
}
