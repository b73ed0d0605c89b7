// `imgverify serve`: the peer's flags parsed as Go's flag package does, env vars, and the command's whole life.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseGoDuration, parseServeFlags, serviceOptionsFromFlags } from '../../src/cli/commands/serve.js';
import { resolveServiceOptions } from '../../src/service/index.js';
import { E2E_CERT_PEM } from '../config/manifest-builders.js';
import { createTrustConfigDir, kyvernoContainer, post, type TrustConfigDir } from './harness.js';
import { waitFor } from '../support/ports.js';
import { runCli } from '../support/cli.js';

describe('Go-style flags', () => {
  const cases: { args: string[]; flag: string; value: unknown }[] = [
    { args: [], flag: 'cacheEnabled', value: true },
    { args: [], flag: 'cacheMaxSize', value: 1000 },
    { args: [], flag: 'cacheTTLDurationSeconds', value: 3600 },
    { args: [], flag: 'maxSignatureAttempts', value: 30 },
    { args: [], flag: 'metrics-bind-address', value: ':8080' },
    { args: [], flag: 'health-probe-bind-address', value: ':8081' },
    { args: [], flag: 'reviewKyvernoToken', value: undefined },
    { args: ['--tokenAudiences=kyverno,imgverify'], flag: 'tokenAudiences', value: ['kyverno', 'imgverify'] },
    { args: ['--leader-elect-lease-duration=30s'], flag: 'leader-elect-lease-duration', value: 30_000 },
    { args: [], flag: 'requestTimeout', value: 25_000 },
    { args: ['--notls'], flag: 'notls', value: true },
    { args: ['-notls'], flag: 'notls', value: true },
    { args: ['--notls=false'], flag: 'notls', value: false },
    { args: ['-notls=1'], flag: 'notls', value: true },
    { args: ['--cacheEnabled=false'], flag: 'cacheEnabled', value: false },
    { args: ['--reviewKyvernoToken=False'], flag: 'reviewKyvernoToken', value: false },
    { args: ['-cacheMaxSize', '5'], flag: 'cacheMaxSize', value: 5 },
    { args: ['--cacheMaxSize=5'], flag: 'cacheMaxSize', value: 5 },
    { args: ['--cacheTTLDurationSeconds=9223372036854775807'], flag: 'cacheTTLDurationSeconds', value: Number('9223372036854775807') },
    { args: ['--requestTimeout=1m30s'], flag: 'requestTimeout', value: 90_000 },
    { args: ['--requestTimeout', '10'], flag: 'requestTimeout', value: 10_000 },
    { args: [], flag: 'maxConcurrentRequests', value: 256 },
    { args: ['--maxConcurrentRequests=8'], flag: 'maxConcurrentRequests', value: 8 },
    { args: [], flag: 'readHeaderTimeout', value: 10_000 },
    { args: ['--readTimeout=1m'], flag: 'readTimeout', value: 60_000 },
    { args: ['--idleTimeout=5s'], flag: 'idleTimeout', value: 5_000 },
    { args: ['--allowInsecureRegistry'], flag: 'allowInsecureRegistry', value: true },
    { args: ['--allowInsecureRegistry=registry.local:5000, other.local'], flag: 'allowInsecureRegistry', value: ['registry.local:5000', 'other.local'] },
    { args: ['--imagePullSecrets', 'a.json,b.yaml'], flag: 'imagePullSecrets', value: ['a.json', 'b.yaml'] },
    { args: ['--imagePullSecrets=regcred'], flag: 'imagePullSecrets', value: ['regcred'] },
    { args: ['--local'], flag: 'local', value: true },
    { args: ['--kubeconfig'], flag: 'kubeconfig', value: true },
    { args: ['--kubeconfig', '--notls'], flag: 'kubeconfig', value: true },
    { args: ['--kubeconfig', '/k/config', '--notls'], flag: 'kubeconfig', value: '/k/config' },
    { args: ['-kubeconfig=/k/config'], flag: 'kubeconfig', value: '/k/config' },
    { args: ['--kubeconfig=false'], flag: 'kubeconfig', value: false },
    { args: ['--leader-elect=true'], flag: 'leader-elect', value: true },
    { args: ['--metrics-bind-address=127.0.0.1:9090'], flag: 'metrics-bind-address', value: '127.0.0.1:9090' },
    { args: ['--config-dir', '/etc/imgverify'], flag: 'config-dir', value: '/etc/imgverify' },
  ];
  test.each(cases)('$args → $flag = $value', ({ args, flag, value }) => {
    expect(parseServeFlags(args).values.get(flag)).toEqual(value);
  });

  test.each([
    [['--nope'], 'flag provided but not defined: -nope'],
    [['--cacheMaxSize'], 'flag needs an argument: -cacheMaxSize'],
    [['--cacheMaxSize=lots'], 'invalid value "lots" for flag -cacheMaxSize: not a whole number'],
    [['--notls=maybe'], 'invalid value "maybe" for flag -notls: parse error (use true or false)'],
    [['--requestTimeout=soon'], 'invalid value "soon" for flag -requestTimeout: not a duration (e.g. 25s, 1m, 1500ms)'],
    [['extra'], 'serve takes no arguments, got "extra"'],
  ])('%j → %s', (args, message) => {
    expect(() => parseServeFlags(args)).toThrow(message);
  });

  test.each([
    ['25s', 25_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1500ms', 1_500],
    ['2.5s', 2_500],
    ['30', 30_000],
    ['25', 25_000],
    ['s', undefined],
    ['-1s', undefined],
  ])('Go duration %s → %s ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  test('flags and env become service options', () => {
    const parsed = parseServeFlags(['--config-dir=/c', '--debug', '--notls', '--bind-address=:9999']);
    const options = serviceOptionsFromFlags(parsed.values, { DEFAULT_TRUST_POLICY: 'tp-default', POD_NAMESPACE: 'kyverno-notation-aws', SERVICE_NAME: 'svc' }, parsed.given);
    expect(options).toMatchObject({
      config: { dir: '/c', defaultTrustPolicy: 'tp-default' },
      tls: { enabled: false, namespace: 'kyverno-notation-aws', serviceName: 'svc' },
      listen: { api: ':9999' },
      logLevel: 'debug',
      cache: { enabled: true, maxSize: 1000, ttlSeconds: 3600 },
      auth: {
        reviewKyvernoToken: false,
        allowedUsers: ['system:serviceaccount:kyverno:kyverno-admission-controller', 'system:serviceaccount:kyverno:kyverno-reports-controller'],
      },
      registry: { maxSignatureAttempts: 30 },
      limits: { requestTimeoutMs: 25_000, maxConcurrentRequests: 256, readHeaderTimeoutMs: 10_000, readTimeoutMs: 20_000, idleTimeoutMs: 90_000 },
    });
    expect(options.kubernetes).toBeUndefined();

    // No --config-dir, in a pod (or --kubeconfig): Kubernetes mode, token review on unless turned off.
    const cluster = parseServeFlags(['--leader-elect', '--tokenAudiences=imgverify', '--leader-elect-retry-period=1s']);
    const inCluster = serviceOptionsFromFlags(cluster.values, { KUBERNETES_SERVICE_HOST: '10.0.0.1', POD_NAME: 'kna-0' }, cluster.given);
    expect(inCluster.auth?.reviewKyvernoToken).toBe(true);
    expect(inCluster.kubernetes).toEqual({
      local: false,
      leaderElect: true,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 1_000,
      tokenAudiences: ['imgverify'],
      pluginConfigMap: 'notation-plugin-config',
      pluginConfigMapRequired: false,
      identity: 'kna-0',
    });
    const outside = parseServeFlags(['--kubeconfig', '--reviewKyvernoToken=false', '--pluginConfigMap=plugins']);
    expect(serviceOptionsFromFlags(outside.values, {}, outside.given)).toMatchObject({ auth: { reviewKyvernoToken: false }, kubernetes: { local: true, pluginConfigMap: 'plugins', pluginConfigMapRequired: true } });
    const file = parseServeFlags(['--kubeconfig=/k/config']);
    expect(serviceOptionsFromFlags(file.values, {}, file.given).kubernetes).toMatchObject({ local: true, kubeconfigPath: '/k/config' });

    // --local: the notation config dir, as the CLI finds it (even in a pod), its plugins/ too; no Kubernetes, no token review.
    const local = parseServeFlags(['--local']);
    const notation = serviceOptionsFromFlags(local.values, { NOTATION_CONFIG: '/c', KUBERNETES_SERVICE_HOST: '10.0.0.1' }, local.given);
    expect(notation.config).toEqual({ notationDir: '/c' });
    expect(notation.registry?.pluginsDir).toBe('/c/plugins');
    expect(notation.kubernetes).toBeUndefined();
    expect(notation.auth?.reviewKyvernoToken).toBe(false);
    const named = parseServeFlags(['--notation-config', '/n']);
    expect(serviceOptionsFromFlags(named.values, { DEFAULT_TRUST_POLICY: 'team', PLUGINS_DIR: '/p' }, named.given)).toMatchObject({ config: { notationDir: '/n', defaultTrustPolicy: 'team' }, registry: { pluginsDir: '/p' } });
    for (const [args, message] of [
      [['--local', '--config-dir=/etc/imgverify'], 'are two sources of trust policies: use one'],
      [['--config-dir=/etc/imgverify', '--kubeconfig'], '--kubeconfig is for Kubernetes mode'],
      [['--local', '--kubeconfig=/k/config'], '--kubeconfig is for Kubernetes mode'],
    ] as const) {
      const conflict = parseServeFlags(args);
      expect(() => serviceOptionsFromFlags(conflict.values, {}, conflict.given)).toThrow(message);
    }

    const explicit = parseServeFlags(['--debug', '--logLevel=warn']);
    expect(serviceOptionsFromFlags(explicit.values, {}, explicit.given).logLevel).toBe('warn');
    const zap = parseServeFlags(['--logLevel=dpanic']);
    expect(serviceOptionsFromFlags(zap.values, {}, zap.given).logLevel).toBe('fatal');
    const bad = parseServeFlags(['--logLevel=loud']);
    expect(() => serviceOptionsFromFlags(bad.values, {}, bad.given)).toThrow('invalid value "loud" for flag -logLevel');
  });

  test.each([
    { args: [], api: { port: 9443 }, http: { port: 9080 } },
    { args: ['--notls'], api: { port: 9080 }, http: undefined },
    { args: ['--notls', '--http-bind-address=127.0.0.1:7000'], api: { host: '127.0.0.1', port: 7000 }, http: undefined },
    { args: ['--notls', '--bind-address=:7001'], api: { port: 7001 }, http: undefined },
    { args: ['--http-bind-address=0'], api: { port: 9443 }, http: undefined },
    { args: ['--bind-address=127.0.0.1:8443', '--http-bind-address=127.0.0.1:8080'], api: { host: '127.0.0.1', port: 8443 }, http: { host: '127.0.0.1', port: 8080 } },
  ])('ports as the peer: $args → HTTPS/API $api, plain HTTP beside it $http', ({ args, api, http }) => {
    const parsed = parseServeFlags(['--config-dir=/c', ...args]);
    const resolved = resolveServiceOptions(serviceOptionsFromFlags(parsed.values, {}, parsed.given));
    expect(resolved.listen.api).toEqual(api);
    expect(resolved.listen.http).toEqual(http);
  });

  test('a serving pair mounted at /certs is looked for unless --tls-dir names another place', () => {
    const defaults = parseServeFlags(['--config-dir=/c']);
    expect(serviceOptionsFromFlags(defaults.values, {}, defaults.given).tls?.mountDir).toBe('/certs');
    const other = parseServeFlags(['--config-dir=/c', '--tls-dir', '/var/run/certs']);
    expect(serviceOptionsFromFlags(other.values, {}, other.given).tls?.mountDir).toBe('/var/run/certs');
  });

  test('shared cache, AWS Signer and plugin settings land in the cache and registry groups', () => {
    const parsed = parseServeFlags(['--cacheBackend=redis://redis:6379/0', '--awsSignerVerifier=plugin']);
    const options = serviceOptionsFromFlags(parsed.values, { REDIS_PASSWORD: 'pw', NOTATION_DIR: '/n' }, parsed.given);
    expect(options.cache).toEqual({ enabled: true, maxSize: 1000, ttlSeconds: 3600, backend: 'redis://redis:6379/0', backendPassword: 'pw' });
    expect(options.registry).toMatchObject({ awsSignerVerifier: 'plugin', pluginsDir: '/n/plugins' });
    const defaults = parseServeFlags([]);
    const plain = serviceOptionsFromFlags(defaults.values, {}, defaults.given);
    expect(plain.cache).toEqual({ enabled: true, maxSize: 1000, ttlSeconds: 3600 });
    expect(plain.registry?.awsSignerVerifier).toBe('builtin');
    const bad = parseServeFlags(['--awsSignerVerifier=other']);
    expect(() => serviceOptionsFromFlags(bad.values, {}, bad.given)).toThrow('invalid value "other" for flag -awsSignerVerifier: use builtin or plugin');
  });

  test('plugin flags: AWS Signer verifier choice, plugin config file, PLUGINS_DIR else $NOTATION_DIR/plugins', () => {
    const defaults = parseServeFlags([]);
    expect(serviceOptionsFromFlags(defaults.values, { NOTATION_DIR: '/n' }, defaults.given).registry).toMatchObject({ awsSignerVerifier: 'builtin', pluginsDir: '/n/plugins' });
    expect(serviceOptionsFromFlags(defaults.values, {}, defaults.given).registry?.pluginsDir).toBeUndefined();
    const given = parseServeFlags(['--awsSignerVerifier=plugin', '--pluginConfig', '/p.yaml']);
    expect(serviceOptionsFromFlags(given.values, { NOTATION_DIR: '/n', PLUGINS_DIR: '/plugins' }, given.given).registry).toMatchObject({
      awsSignerVerifier: 'plugin',
      pluginConfigFile: '/p.yaml',
      pluginsDir: '/plugins',
    });
    const bad = parseServeFlags(['--awsSignerVerifier=native']);
    expect(() => serviceOptionsFromFlags(bad.values, {}, bad.given)).toThrow('invalid value "native" for flag -awsSignerVerifier: use builtin or plugin');
  });
});

describe('imgverify serve', () => {
  let config: TrustConfigDir;
  beforeAll(async () => {
    config = await createTrustConfigDir('tp-cli', E2E_CERT_PEM);
  });
  afterAll(async () => {
    await config?.remove();
  });

  test('starts, serves, and stops on SIGTERM with exit code 0', async () => {
    const written: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const exit = main([
        'node',
        'imgverify',
        'serve',
        '-config-dir',
        config.dir,
        '-notls',
        '--bind-address=127.0.0.1:0',
        '--metrics-bind-address=0',
        '--health-probe-bind-address=0',
        '--logLevel=silent',
        '--reviewKyvernoToken=false',
      ]);
      await waitFor(async () => written.some((line) => line.startsWith('imgverify serve: http://')), 10_000, 'the serve banner');
      const url = /imgverify serve: (\S+)/.exec(written.join(''))?.[1] as string;
      const answer = await post(url, { images: { containers: { c: kyvernoContainer('ghcr.io', 'org/app', 'v1') } }, imageReferences: ['none/*'], trustPolicy: 'tp-cli' });
      expect(answer.status).toBe(200);
      process.emit('SIGTERM', 'SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      stderr.mockRestore();
    }
  });

  test.each([
    [['--reviewKyvernoToken=true'], /--reviewKyvernoToken=true needs the Kubernetes TokenReview API.*\(KUBERNETES_REQUIRED\)/],
    [['--bogus'], /flag provided but not defined: -bogus/],
    [[], /file mode needs --config-dir DIR/],
  ])('bad input %j → exit code 2 with a message', async (args, message) => {
    const withDir = args.length === 0 ? [] : ['--config-dir', config.dir];
    const result = await runCli('serve', ...withDir, ...args, '--notls', '--bind-address=127.0.0.1:0', '--metrics-bind-address=0', '--health-probe-bind-address=0', '--logLevel=silent');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
