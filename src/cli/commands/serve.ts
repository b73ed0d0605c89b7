// `imgverify serve`: the /checkimages service, with kyverno-notation-aws's flags parsed the way Go's flag package does.
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LevelWithSilent } from 'pino';
// Leaf modules, not the domains' indexes: an index would load what this command does not use (the Kubernetes
// client, the webhook, the policy engine). The service itself loads with the command.
import { AWS_SIGNER_VERIFIER_CHOICES, type AwsSignerVerifierChoice } from '../../aws/constants.js';
import { goParseBool, goParseDuration } from '../../common/go.js';
import { DEFAULT_LEASE_DURATION_MS, DEFAULT_RENEW_DEADLINE_MS, DEFAULT_RETRY_PERIOD_MS } from '../../kube/constants.js';
import { PLUGINS_DIR_NAME } from '../../notary/plugin/constants.js';
import { DEFAULT_MAX_REQUESTS_PER_REGISTRY } from '../../oci/constants.js';
import { notationConfigDir } from '../flags.js';
import {
  DEFAULT_ALLOWED_USERS,
  DEFAULT_CACHE_MAX_SIZE,
  DEFAULT_CACHE_TTL_SECONDS,
  DEFAULT_HEALTH_PROBE_BIND_ADDRESS,
  DEFAULT_HTTP_BIND_ADDRESS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_MAX_IMAGES_PER_REQUEST,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_MAX_SIGNATURE_ATTEMPTS,
  DEFAULT_METRICS_BIND_ADDRESS,
  DEFAULT_READ_HEADER_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE_NAME,
  DEFAULT_TLS_MOUNT_DIR,
  ENV_DEFAULT_TRUST_POLICY,
  ENV_REDIS_PASSWORD,
} from '../../service/constants.js';
import { ServiceError } from '../../service/errors.js';
import type { ServiceOptions } from '../../service/options.js';
import { startService } from '../../service/server.js';

type FlagKind = 'bool' | 'string' | 'int' | 'duration' | 'list' | 'boolOrList' | 'boolOrPath';
type FlagValue = boolean | string | number | string[];

interface FlagSpec {
  name: string;
  kind: FlagKind;
  help: string;
  default?: FlagValue;
}

/** The flags: the peer's (camelCase, as it spells them) first, then ours. Order is the help's order. */
const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'config-dir', kind: 'string', help: 'Folder of TrustPolicy/TrustStore YAML manifests (notation.nirmata.io/v1alpha1), watched for changes. Required in file mode.' },
  { name: 'local', kind: 'bool', default: false, help: "Use the local notation configuration: the trust policy (trustpolicy.oci.json, else trustpolicy.json) and the trust stores (truststore/x509/) of notation's config dir ($NOTATION_CONFIG, else $NOTATION_DIR, else $XDG_CONFIG_HOME/notation or ~/.config/notation), watched, as one TrustPolicy requests select by $DEFAULT_TRUST_POLICY's name, else \"notation\" (the default trust policy then). The dir imgverify verify, cert and policy use." },
  { name: 'notls', kind: 'bool', default: false, help: 'Do not start the TLS server (HTTPS on 9443); plain HTTP on 9080 is served either way.' },
  { name: 'imagePullSecrets', kind: 'list', default: [], help: 'Registry credentials. Kubernetes mode: names of kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg Secrets in POD_NAMESPACE, followed as they change. File mode: Docker config.json / .dockerconfigjson files or Secret manifests (comma-separated paths).' },
  { name: 'allowInsecureRegistry', kind: 'boolOrList', default: false, help: 'Honour a request\'s "insecure": true (skip TLS verification): true for every registry, or a comma-separated list of hosts.' },
  { name: 'pluginConfigMap', kind: 'string', default: 'notation-plugin-config', help: 'Kubernetes mode: ConfigMap of POD_NAMESPACE whose data is passed to notation plugins as pluginConfig (read at start; the default name may be absent). In file mode use --pluginConfig.' },
  { name: 'maxSignatureAttempts', kind: 'int', default: DEFAULT_MAX_SIGNATURE_ATTEMPTS, help: 'Most signatures tried per image.' },
  { name: 'leader-elect', kind: 'bool', default: false, help: 'Kubernetes mode: replicas elect a leader through the Lease kyverno-notation-aws; only the leader creates and rotates the TLS Secrets. Without it this replica does. Ignored in file mode.' },
  { name: 'leader-elect-lease-duration', kind: 'duration', default: DEFAULT_LEASE_DURATION_MS, help: 'How long a leader Lease lasts without renewal before another replica may take it.' },
  { name: 'leader-elect-renew-deadline', kind: 'duration', default: DEFAULT_RENEW_DEADLINE_MS, help: 'How long the leader keeps trying to renew before it gives up leadership (below the lease duration).' },
  { name: 'leader-elect-retry-period', kind: 'duration', default: DEFAULT_RETRY_PERIOD_MS, help: 'Interval of acquire and renew attempts.' },
  { name: 'metrics-bind-address', kind: 'string', default: DEFAULT_METRICS_BIND_ADDRESS, help: 'host:port of Prometheus /metrics; 0 disables.' },
  { name: 'health-probe-bind-address', kind: 'string', default: DEFAULT_HEALTH_PROBE_BIND_ADDRESS, help: 'host:port of /healthz and /readyz; 0 disables.' },
  { name: 'debug', kind: 'bool', default: false, help: 'Debug logging (same as --logLevel=debug).' },
  { name: 'cacheEnabled', kind: 'bool', default: true, help: 'Cache verdicts by digest and trust policy content.' },
  { name: 'cacheMaxSize', kind: 'int', default: DEFAULT_CACHE_MAX_SIZE, help: 'Most verdicts cached.' },
  { name: 'cacheBackend', kind: 'string', help: 'Shared verdict cache for every replica: redis://host:port/db, rediss:// for TLS, password in the URL or $REDIS_PASSWORD. Default: memory only.' },
  { name: 'cacheTTLDurationSeconds', kind: 'int', default: DEFAULT_CACHE_TTL_SECONDS, help: 'Life of a positive verdict in seconds (clamped to 30 days).' },
  { name: 'reviewKyvernoToken', kind: 'bool', help: 'Require a caller token that a TokenReview authenticates for an --allowedUsers user (default true in Kubernetes mode; in file mode true is an error).' },
  { name: 'tokenAudiences', kind: 'list', default: [], help: 'Audiences the caller token must be valid for (TokenReview spec.audiences); none: the API server\'s own.' },
  { name: 'allowedUsers', kind: 'list', default: [...DEFAULT_ALLOWED_USERS], help: 'Users whose tokens may call the service when token review is on.' },
  { name: 'logLevel', kind: 'string', default: 'info', help: 'Log level: debug, info, warn, error (also dpanic, panic, fatal).' },
  { name: 'notation-config', kind: 'string', help: 'The notation config dir --local reads (implies --local).' },
  { name: 'kubeconfig', kind: 'boolOrPath', help: 'Kubernetes mode from outside the cluster: the kubeconfig ($KUBECONFIG or ~/.kube/config; or --kubeconfig=PATH) instead of the in-cluster service account.' },
  { name: 'bind-address', kind: 'string', help: 'host:port of the HTTPS API (default :9443); with --notls, of the plain HTTP API (default: --http-bind-address).' },
  { name: 'http-bind-address', kind: 'string', default: DEFAULT_HTTP_BIND_ADDRESS, help: 'host:port of the plain HTTP listener the peer always serves, beside HTTPS; 0 disables it (with --notls it is the API unless --bind-address is given).' },
  { name: 'tls-dir', kind: 'string', default: DEFAULT_TLS_MOUNT_DIR, help: "A mounted serving pair (tls.crt and tls.key, e.g. cert-manager's Secret as a volume), served when both files are there (unless --tls-cert) and followed as they change." },
  { name: 'tls-cert', kind: 'string', help: 'PEM serving certificate (with --tls-key), followed as it changes; default: the --tls-dir pair, else (Kubernetes mode) the TLS Secret, else a generated self-signed CA and pair.' },
  { name: 'tls-key', kind: 'string', help: 'PEM private key of --tls-cert.' },
  { name: 'cert-dir', kind: 'string', help: 'Where generated TLS material is kept across restarts (default <tmpdir>/imgverify-serving-certs).' },
  { name: 'requestTimeout', kind: 'duration', default: DEFAULT_REQUEST_TIMEOUT_MS, help: 'Deadline per request (Go duration like 25s, or seconds); when it passes the answer is a 406.' },
  { name: 'maxRequestBytes', kind: 'int', default: DEFAULT_MAX_REQUEST_BYTES, help: 'Largest request body accepted (413 above).' },
  { name: 'maxImagesPerRequest', kind: 'int', default: DEFAULT_MAX_IMAGES_PER_REQUEST, help: 'Most images one request may ask to verify (406 above).' },
  { name: 'maxConcurrentRequests', kind: 'int', default: DEFAULT_MAX_CONCURRENT_REQUESTS, help: 'Most /checkimages requests handled at once; more are answered 503 with Retry-After at once (load shedding).' },
  { name: 'readHeaderTimeout', kind: 'duration', default: DEFAULT_READ_HEADER_TIMEOUT_MS, help: 'Time a caller has for the TLS handshake and its request headers; slower connections are closed.' },
  { name: 'readTimeout', kind: 'duration', default: DEFAULT_READ_TIMEOUT_MS, help: 'Time a caller has to send its whole request (headers and body); slower ones get 408 and a closed connection.' },
  { name: 'idleTimeout', kind: 'duration', default: DEFAULT_IDLE_TIMEOUT_MS, help: 'Idle keep-alive connections of callers are closed after this.' },
  { name: 'registryConcurrency', kind: 'int', default: DEFAULT_MAX_REQUESTS_PER_REGISTRY, help: 'Most requests in flight to one registry host at once (halved while it answers 429, then grows back); its connection pool is as large.' },
  { name: 'plainHttpRegistries', kind: 'list', default: [], help: 'Registries reached over plain HTTP (loopback registries always are).' },
  { name: 'pluginConfig', kind: 'string', help: 'File mode: plugin configuration passed to verification plugins, as a ConfigMap manifest or a YAML map of strings.' },
  { name: 'awsSignerVerifier', kind: 'string', default: 'builtin', help: 'Who verifies AWS Signer signatures: builtin, or plugin (the installed com.amazonaws.signer.notation.plugin; the built-in when it is not installed).' },
];

const FLAGS_BY_NAME = new Map(SERVE_FLAGS.map((f) => [f.name, f]));

/** Bad flags are the user's to fix: the CLI prints the message and exits 2. */
function invalidFlag(message: string): ServiceError {
  return new ServiceError('INVALID_OPTION', message);
}

/** A duration flag in milliseconds: Go's time.ParseDuration (`25s`, `1m30s`, `500ms`) or a plain number of seconds; never negative. */
export function parseGoDuration(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const nanoseconds = goParseDuration(text);
  if (nanoseconds === undefined || nanoseconds < 0n) return undefined;
  return Number(nanoseconds) / 1e6;
}

function parseValue(spec: FlagSpec, text: string): FlagValue {
  const bad = (what: string) => invalidFlag(`invalid value ${JSON.stringify(text)} for flag -${spec.name}: ${what}`);
  switch (spec.kind) {
    case 'bool': {
      const value = goParseBool(text);
      if (value === undefined) throw bad('parse error (use true or false)');
      return value;
    }
    case 'boolOrList': {
      const value = goParseBool(text);
      if (value !== undefined) return value;
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
    case 'boolOrPath':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'int': {
      if (!/^[+-]?\d+$/.test(text)) throw bad('not a whole number');
      return Number(text);
    }
    case 'duration': {
      const value = parseGoDuration(text);
      if (value === undefined) throw bad('not a duration (e.g. 25s, 1m, 1500ms)');
      return value;
    }
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'string':
      return text;
  }
}

/**
 * Parse serve's arguments as Go's flag package does: `-name` or `--name`, `=value` or the next
 * argument, bare boolean flags mean true, `--` ends flags. Returns values by flag name
 * (defaults filled in) and which flags were given.
 */
export function parseServeFlags(args: readonly string[]): { values: Map<string, FlagValue>; given: Set<string>; help: boolean } {
  const values = new Map<string, FlagValue>();
  const given = new Set<string>();
  for (const spec of SERVE_FLAGS) if (spec.default !== undefined) values.set(spec.name, spec.default);
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') {
      if (i + 1 < args.length) throw invalidFlag(`serve takes no arguments, got ${JSON.stringify(args[i + 1])}`);
      break;
    }
    const match = /^--?([^=-][^=]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!match) throw invalidFlag(`serve takes no arguments, got ${JSON.stringify(arg)}`);
    const name = match[1] as string;
    if (name === 'h' || name === 'help') return { values, given, help: true };
    const spec = FLAGS_BY_NAME.get(name);
    if (!spec) throw invalidFlag(`flag provided but not defined: -${name}`);
    let text = match[2];
    if (text === undefined) {
      if (spec.kind === 'bool' || spec.kind === 'boolOrList') text = 'true';
      // serve takes no arguments, so a value after a path flag can only be its path (kubectl's `--kubeconfig FILE`).
      else if (spec.kind === 'boolOrPath') {
        const next = args[i + 1];
        text = next === undefined || next.startsWith('-') ? 'true' : next;
        if (text !== 'true') i += 1;
      } else {
        const next = args[i + 1];
        if (next === undefined) throw invalidFlag(`flag needs an argument: -${name}`);
        text = next;
        i += 1;
      }
    }
    values.set(name, parseValue(spec, text));
    given.add(name);
  }
  return { values, given, help: false };
}

const ZAP_LEVELS: Record<string, LevelWithSilent> = { dpanic: 'fatal', panic: 'fatal', fatal: 'fatal', error: 'error', warn: 'warn', warning: 'warn', info: 'info', debug: 'debug', trace: 'trace', silent: 'silent' };

/** Service options from parsed flags and the environment (DEFAULT_TRUST_POLICY, POD_NAMESPACE, SERVICE_NAME). */
export function serviceOptionsFromFlags(values: Map<string, FlagValue>, env: NodeJS.ProcessEnv, given: ReadonlySet<string> = new Set()): ServiceOptions {
  const str = (name: string) => values.get(name) as string | undefined;
  const num = (name: string) => values.get(name) as number;
  const bool = (name: string) => values.get(name) === true;
  const list = (name: string) => (values.get(name) as string[] | undefined) ?? [];
  const levelName = bool('debug') && !given.has('logLevel') ? 'debug' : (str('logLevel') ?? 'info');
  const logLevel = ZAP_LEVELS[levelName.toLowerCase()];
  if (!logLevel) throw invalidFlag(`invalid value ${JSON.stringify(levelName)} for flag -logLevel: use debug, info, warn or error`);
  const allowInsecure = values.get('allowInsecureRegistry') as boolean | string[];
  const awsSignerVerifier = str('awsSignerVerifier') ?? 'builtin';
  if (!(AWS_SIGNER_VERIFIER_CHOICES as readonly string[]).includes(awsSignerVerifier)) {
    throw invalidFlag(`invalid value ${JSON.stringify(awsSignerVerifier)} for flag -awsSignerVerifier: use builtin or plugin`);
  }
  const defined = <T extends object>(fields: T): T => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
  // Where the trust policies come from: a folder of manifests, notation's config dir, else the cluster
  // (in a pod, or from outside with --kubeconfig).
  const notationDir = str('notation-config') ?? (bool('local') ? notationConfigDir(env) : undefined);
  const kubeconfig = values.get('kubeconfig') as boolean | string | undefined;
  if (notationDir !== undefined && str('config-dir') !== undefined) {
    throw invalidFlag('--config-dir (a folder of TrustPolicy/TrustStore manifests) and --local (the notation config dir) are two sources of trust policies: use one');
  }
  const fileMode = str('config-dir') !== undefined || notationDir !== undefined;
  if (fileMode && kubeconfig !== undefined && kubeconfig !== false) {
    throw invalidFlag('--kubeconfig is for Kubernetes mode (TrustPolicy/TrustStore CRDs of the cluster); --config-dir and --local read trust policies from disk');
  }
  const kubernetesMode = !fileMode && ((kubeconfig !== undefined && kubeconfig !== false) || Boolean(env.KUBERNETES_SERVICE_HOST));
  const pluginsDir = env.PLUGINS_DIR || (notationDir !== undefined ? join(notationDir, PLUGINS_DIR_NAME) : env.NOTATION_DIR ? join(env.NOTATION_DIR, PLUGINS_DIR_NAME) : undefined);
  return {
    config: defined({ dir: str('config-dir'), notationDir, defaultTrustPolicy: env[ENV_DEFAULT_TRUST_POLICY] || undefined }),
    listen: defined({ api: str('bind-address'), http: str('http-bind-address'), metrics: str('metrics-bind-address') as string, health: str('health-probe-bind-address') as string }),
    tls: defined({
      enabled: !bool('notls'),
      certFile: str('tls-cert'),
      keyFile: str('tls-key'),
      certDir: str('cert-dir'),
      mountDir: str('tls-dir'),
      serviceName: env.SERVICE_NAME || DEFAULT_SERVICE_NAME,
      namespace: env.POD_NAMESPACE || undefined,
    }),
    cache: defined({
      enabled: bool('cacheEnabled'),
      maxSize: num('cacheMaxSize'),
      ttlSeconds: num('cacheTTLDurationSeconds'),
      backend: str('cacheBackend') || undefined,
      backendPassword: env[ENV_REDIS_PASSWORD] || undefined,
    }),
    limits: {
      requestTimeoutMs: num('requestTimeout'),
      maxRequestBytes: num('maxRequestBytes'),
      maxImagesPerRequest: num('maxImagesPerRequest'),
      maxConcurrentRequests: num('maxConcurrentRequests'),
      readHeaderTimeoutMs: num('readHeaderTimeout'),
      readTimeoutMs: num('readTimeout'),
      idleTimeoutMs: num('idleTimeout'),
    },
    registry: defined({
      imagePullSecrets: list('imagePullSecrets'),
      allowInsecure,
      plainHttp: list('plainHttpRegistries'),
      maxSignatureAttempts: num('maxSignatureAttempts'),
      maxRequestsPerRegistry: num('registryConcurrency'),
      pluginsDir,
      awsSignerVerifier: awsSignerVerifier as AwsSignerVerifierChoice,
      pluginConfigFile: str('pluginConfig'),
    }),
    // Token review: on by default in Kubernetes mode (as the peer), off in file mode (no TokenReview API).
    auth: { reviewKyvernoToken: values.has('reviewKyvernoToken') ? bool('reviewKyvernoToken') : kubernetesMode, allowedUsers: list('allowedUsers') },
    ...(kubernetesMode
      ? {
          kubernetes: defined({
            local: kubeconfig !== undefined && kubeconfig !== false,
            kubeconfigPath: typeof kubeconfig === 'string' ? kubeconfig : undefined,
            namespace: env.POD_NAMESPACE || undefined,
            leaderElect: bool('leader-elect'),
            leaseDurationMs: num('leader-elect-lease-duration'),
            renewDeadlineMs: num('leader-elect-renew-deadline'),
            retryPeriodMs: num('leader-elect-retry-period'),
            tokenAudiences: list('tokenAudiences'),
            pluginConfigMap: str('pluginConfigMap') as string,
            pluginConfigMapRequired: given.has('pluginConfigMap'),
            identity: env.POD_NAME || undefined,
          }),
        }
      : {}),
    logLevel,
  };
}

/** How the help shows a flag's value, where it is not `=<kind>`. */
const VALUE_HINTS: Partial<Record<FlagKind, string>> = { bool: '', boolOrList: '[=true|false|hosts]', boolOrPath: '[=PATH]' };

function helpText(): string {
  const lines = SERVE_FLAGS.map((f) => {
    const shown = f.default === undefined || (Array.isArray(f.default) && f.default.length === 0) ? '' : ` (default ${f.kind === 'duration' ? `${Number(f.default) / 1000}s` : Array.isArray(f.default) ? f.default.join(',') : String(f.default)})`;
    return `  --${f.name}${VALUE_HINTS[f.kind] ?? `=${f.kind}`}\n      ${f.help}${shown}`;
  });
  return [
    '',
    'Flags (Go style: -flag or --flag, =value or a separate value; booleans as --notls or --cacheEnabled=false):',
    ...lines,
    '',
    'Modes: with --config-dir, file mode (manifests from a folder); with --local, the notation config dir; otherwise Kubernetes mode (CRDs, Secrets, Lease and TokenReview of the cluster: in a pod, or with --kubeconfig from outside).',
    `Environment: ${ENV_DEFAULT_TRUST_POLICY} (trust policy of requests naming none), POD_NAMESPACE and SERVICE_NAME (namespace of the Secrets, Lease and Events, and the names in the serving certificate), POD_NAME (Lease holder identity), PLUGINS_DIR, else plugins/ of the notation config dir with --local, else $NOTATION_DIR/plugins (notation verification plugins), NOTATION_CONFIG and NOTATION_DIR (with --local), ${ENV_REDIS_PASSWORD} (password of --cacheBackend), the AWS SDK credential variables (ECR tokens, AWS Signer revocation), KUBECONFIG (with --kubeconfig).`,
    'Signals: SIGTERM/SIGINT finish in-flight requests and stop; SIGHUP re-reads --config-dir or the notation config dir.',
  ].join('\n');
}

/** The command's action (program/serve.ts defines the command): Go-style flags, then the service until a signal. */
export async function serveAction(command: Command): Promise<void> {
  const parsed = parseServeFlags(command.args);
  if (parsed.help) {
    command.addHelpText('after', helpText());
    command.outputHelp();
    return;
  }
  const options = serviceOptionsFromFlags(parsed.values, process.env, parsed.given);
  const service = await startService(options);
  const tlsNote = service.caCertPath ? ` (self-signed; trust the CA in ${service.caCertPath})` : '';
  process.stderr.write(`imgverify serve: ${service.url}/checkimages${tlsNote}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      service.logger.info({ signal }, 'shutting down: finishing in-flight requests');
      process.off('SIGHUP', reload);
      service.close().then(resolve, resolve);
    };
    const reload = () => void service.config.reload();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.on('SIGHUP', reload);
  });
}
