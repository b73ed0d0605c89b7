// `imgverify webhook`: its flags; the webhook (with the service, the policy engine and the Kubernetes client) loads when it runs.
import { Option, type Command } from 'commander';
import { collect } from '../flags.js';

export function defineWebhookCommand(program: Command): void {
  program
    .command('webhook')
    .description('Run the Kubernetes admission webhook that enforces ClusterImageVerificationPolicy/ImageVerificationPolicy (Kyverno verifyImages) policies')
    .option('--kubeconfig [file]', 'from outside the cluster: the kubeconfig ($KUBECONFIG or ~/.kube/config, or this file) instead of the in-cluster service account')
    .option('--namespace <name>', 'namespace of the webhook: its TLS Secrets, Lease and Service (default: $POD_NAMESPACE or imgverify)')
    .option('--service-name <name>', 'the Service in front of the webhook', 'imgverify')
    .option('--listen <address>', 'HTTPS listen address', ':9443')
    .option('--metrics-bind-address <address>', 'Prometheus /metrics address (0 disables)', ':8080')
    .option('--health-probe-bind-address <address>', '/healthz and /readyz address (0 disables)', ':8081')
    .option('--answer-timeout <ms>', "most milliseconds to answer (kept 1 s below each webhook's timeoutSeconds)", '9000')
    .option('--kyverno-policies', "also enforce kyverno.io ClusterPolicy/Policy objects (when Kyverno itself is not installed)", false)
    .option('--leader-elect', 'elect a leader among replicas (it writes the TLS Secrets, webhook configurations and policy status)', false)
    .option('--lease-name <name>', "the Lease the replicas elect their leader with (another than serve's kyverno-notation-aws)", 'imgverify-webhook')
    .option('--exclude-namespace <name>', 'never send this namespace to the webhook (repeatable; its own namespace always is excluded)', collect, [])
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action(async (options) => {
      const { runWebhook } = await import('../commands/webhook.js');
      process.exitCode = await runWebhook(options);
    });
}
