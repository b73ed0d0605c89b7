// deploy/: every overlay renders offline with `kubectl kustomize`, every object validates against the
// Kubernetes schemas (kubernetes-models), and the properties the install promises hold: the peer's
// names, least-privilege RBAC, hardened pods, flags our `serve` accepts, and Kyverno policies that
// validate against Kyverno's own CRD schema.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseServeFlags } from '../../src/cli/commands/serve.js';
import { crdValidator, type Crd } from '../support/crd-schema.js';
import { REPO_ROOT, SHARED_FIXTURES } from '../support/fixtures.js';

const run = promisify(execFile);
const DEPLOY = resolve(REPO_ROOT, 'deploy');
const PEER = resolve(SHARED_FIXTURES, 'kna/configs');
const NAMESPACE = 'kyverno-notation-aws';
const APP = 'kyverno-notation-aws';

// Plain shapes of the objects read below; kubernetes-models validates them in full.
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  [field: string]: unknown;
}
interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}
interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
  topologySpreadConstraints?: { topologyKey: string }[];
}
interface Deployment extends K8sObject {
  spec: { replicas: number; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

function parseDocuments(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

async function render(target: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', resolve(DEPLOY, target)], { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  return parseDocuments(stdout);
}

type Model = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of an object, by apiVersion and kind (core v1 lives under `v1/`). */
async function modelOf(object: K8sObject): Promise<Model> {
  const module = (await import(`kubernetes-models/${object.apiVersion}/${object.kind}`)) as Record<string, Model>;
  const model = module[object.kind];
  if (!model) throw new Error(`kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

function find<T extends K8sObject>(objects: readonly K8sObject[], kind: string, name: string, namespace?: string): T {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
  if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name}`);
  return found as T;
}

function service(objects: readonly K8sObject[]): Deployment {
  return find<Deployment>(objects, 'Deployment', APP, NAMESPACE);
}

function serviceContainer(objects: readonly K8sObject[]): Container {
  return service(objects).spec.template.spec.containers[0] as Container;
}

function env(container: Container, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}

const TARGETS = ['base', 'overlays/eks-irsa', 'overlays/ha', 'overlays/redis'] as const;
const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  await Promise.all(TARGETS.map(async (target) => rendered.set(target, await render(target))));
}, 120_000);

const objectsOf = (target: string): K8sObject[] => rendered.get(target) as K8sObject[];

// The service's own RBAC, exactly: anything more is a test failure to look at.
const EXPECTED_RULES: Record<string, PolicyRule[]> = {
  'ClusterRole kyverno-notation-aws-clusterrole': [
    { apiGroups: ['notation.nirmata.io'], resources: ['trustpolicies', 'truststores'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
  ],
  'Role kyverno-notation-aws/kyverno-notation-aws-role': [
    { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], resourceNames: ['svc.kyverno-notation-aws.svc.tls-ca', 'svc.kyverno-notation-aws.svc.tls-pair'], verbs: ['update', 'patch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['kyverno-notation-aws'], verbs: ['get', 'update', 'patch'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  ],
  'Role default/kyverno-notation-aws-events': [{ apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] }],
  'Role kyverno-notation-aws/kyverno-read-serving-certificate': [
    { apiGroups: [''], resources: ['secrets'], resourceNames: ['svc.kyverno-notation-aws.svc.tls-pair'], verbs: ['get'] },
  ],
};

describe.each(TARGETS)('deploy/%s', (target) => {
  test('every object validates against the Kubernetes schemas', async () => {
    const objects = objectsOf(target);
    expect(objects.length).toBeGreaterThanOrEqual(17);
    for (const object of objects) {
      const Model = await modelOf(object);
      expect(() => new Model(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  test("keeps the peer's names: namespace, ServiceAccount, Deployment, Service svc:443 → 9443, plugin ConfigMap", () => {
    const objects = objectsOf(target);
    const namespaced = objects.filter((o) => !['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
    expect(new Set(namespaced.map((o) => o.metadata.namespace))).toEqual(new Set([NAMESPACE, 'default']));
    expect(namespaced.filter((o) => o.metadata.namespace === 'default').map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Role kyverno-notation-aws-events',
      'RoleBinding kyverno-notation-aws-events',
    ]);
    find(objects, 'Namespace', NAMESPACE);
    find(objects, 'ServiceAccount', APP, NAMESPACE);
    find(objects, 'ConfigMap', 'notation-plugin-config', NAMESPACE);
    const svc = find<K8sObject & { spec: { selector: Record<string, string>; ports: { name: string; port: number; targetPort: string }[] } }>(objects, 'Service', 'svc', NAMESPACE);
    const https = svc.spec.ports.find((p) => p.name === 'https');
    const container = serviceContainer(objects);
    expect(https?.port).toBe(443);
    expect(container.ports?.find((p) => p.name === https?.targetPort)?.containerPort).toBe(9443);
    expect(svc.spec.selector).toEqual({ app: APP });
    expect(service(objects).spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    expect(service(objects).spec.template.spec.serviceAccountName).toBe(APP);
    expect(env(container, 'SERVICE_NAME')).toBe('svc');
    expect(container.env?.find((e) => e.name === 'POD_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  test('RBAC is exactly the least privilege listed, with no wildcard and nothing bound beyond it', () => {
    const objects = objectsOf(target);
    const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole');
    const byName = Object.fromEntries(
      roles.map((o) => [`${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`, (o as K8sObject & { rules: PolicyRule[] }).rules]),
    );
    expect(byName).toEqual(EXPECTED_RULES);
    for (const rule of Object.values(EXPECTED_RULES).flat()) {
      for (const value of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs, ...(rule.resourceNames ?? [])]) expect(value).not.toContain('*');
    }
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as (K8sObject & {
      roleRef: { kind: string; name: string };
      subjects: { kind: string; name: string; namespace: string }[];
    })[];
    // Every binding points at one of the roles above: no system:auth-delegator (which also grants SubjectAccessReviews).
    for (const binding of bindings) {
      const roleKey = `${binding.roleRef.kind} ${binding.roleRef.kind === 'Role' ? `${binding.metadata.namespace}/` : ''}${binding.roleRef.name}`;
      expect(Object.keys(EXPECTED_RULES)).toContain(roleKey);
    }
    const kyvernoBinding = find<(typeof bindings)[number]>(objects, 'RoleBinding', 'kyverno-read-serving-certificate', NAMESPACE);
    expect(kyvernoBinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'kyverno-admission-controller', namespace: 'kyverno' }]);
    for (const binding of bindings.filter((b) => b !== kyvernoBinding)) {
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: APP, namespace: NAMESPACE }]);
    }
  });

  test('every pod is non-root, read-only, without privilege escalation or capabilities, seccomp RuntimeDefault, with resources', () => {
    const deployments = objectsOf(target).filter((o): o is Deployment => o.kind === 'Deployment');
    expect(deployments.length).toBe(target === 'overlays/redis' ? 2 : 1);
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      expect([pod.hostNetwork, pod.hostPID, pod.hostIPC]).toEqual([undefined, undefined, undefined]);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      for (const container of pod.containers) {
        const security = container.securityContext;
        expect(security).toMatchObject({
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(security?.capabilities?.add).toBeUndefined();
        expect(container.resources?.requests?.['cpu']).toBeDefined();
        expect(container.resources?.requests?.['memory']).toBeDefined();
        expect(container.resources?.limits?.['memory']).toBeDefined();
        expect(container.image).toMatch(/^[^:@]+(:[\w][\w.-]*)$/);
        expect(container.image).not.toMatch(/:latest$/);
      }
    }
  });

  test('the service: probes on the health port, topology spread, replicas, and flags `imgverify serve` accepts', () => {
    const objects = objectsOf(target);
    const deployment = service(objects);
    const container = serviceContainer(objects);
    const health = container.ports?.find((p) => p.name === 'health');
    expect(health?.containerPort).toBe(8081);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.ports?.find((p) => p.name === 'metrics')?.containerPort).toBe(8080);
    expect(deployment.spec.template.spec.topologySpreadConstraints?.map((c) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(deployment.spec.replicas).toBe(target === 'overlays/ha' ? 3 : 2);
    const [command, ...flags] = container.args ?? [];
    expect(command).toBe('serve');
    const parsed = parseServeFlags(flags);
    expect(parsed.values.get('reviewKyvernoToken')).toBe(true);
    expect(parsed.values.get('cacheMaxSize')).toBe(2000);
    expect(parsed.values.get('leader-elect')).toBe(target === 'overlays/ha');
    const pdb = find<K8sObject & { spec: { minAvailable: number } }>(objects, 'PodDisruptionBudget', APP, NAMESPACE);
    expect(pdb.spec.minAvailable).toBe(target === 'overlays/ha' ? 2 : 1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  test("the peer's Kyverno policies find what they read: the tls-pair Secret, the Service URL", () => {
    const container = serviceContainer(objectsOf(target));
    const secret = `${env(container, 'SERVICE_NAME')}.${NAMESPACE}.svc.tls-pair`;
    for (const file of ['kyverno-policy.yaml', 'validate-policy.yaml']) {
      const text = readFileSync(resolve(PEER, 'samples', file), 'utf8');
      expect(text).toContain(`urlPath: "/api/v1/namespaces/${NAMESPACE}/secrets/${secret}"`);
      expect(text).toContain('base64_decode( data.\\"tls.crt\\" )');
      expect(text).toContain(`url: https://${env(container, 'SERVICE_NAME')}.${NAMESPACE}/checkimages`);
    }
    expect(EXPECTED_RULES['Role kyverno-notation-aws/kyverno-read-serving-certificate']?.[0]?.resourceNames).toEqual([secret]);
  });
});

test('eks-irsa: the ServiceAccount names an IAM role and the pods get AWS_REGION', () => {
  const objects = objectsOf('overlays/eks-irsa');
  const account = find(objects, 'ServiceAccount', APP, NAMESPACE);
  expect(account.metadata.annotations?.['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::\d{12}:role\/kyverno-notation-aws$/);
  expect(env(serviceContainer(objects), 'AWS_REGION')).toBe('us-west-2');
  expect(find(objectsOf('base'), 'ServiceAccount', APP, NAMESPACE).metadata.annotations).toBeUndefined();
});

test('redis: --cacheBackend points at the Redis Service, which only the service pods may reach', () => {
  const objects = objectsOf('overlays/redis');
  const flags = (serviceContainer(objects).args ?? []).slice(1);
  const backend = new URL(parseServeFlags(flags).values.get('cacheBackend') as string);
  const redis = find<K8sObject & { spec: { ports: { port: number }[]; selector: Record<string, string> } }>(objects, 'Service', 'redis', NAMESPACE);
  expect(backend.protocol).toBe('redis:');
  expect(backend.hostname).toBe(`redis.${NAMESPACE}.svc`);
  expect(Number(backend.port)).toBe(redis.spec.ports[0]?.port);
  const policy = find<K8sObject & { spec: { podSelector: unknown; ingress: { from: unknown[] }[] } }>(objects, 'NetworkPolicy', 'redis', NAMESPACE);
  expect(policy.spec.podSelector).toEqual({ matchLabels: redis.spec.selector });
  expect(policy.spec.ingress.map((rule) => rule.from)).toEqual([[{ podSelector: { matchLabels: { app: APP } } }]]);
  for (const target of ['base', 'overlays/eks-irsa', 'overlays/ha']) {
    expect(parseServeFlags((serviceContainer(objectsOf(target)).args ?? []).slice(1)).given.has('cacheBackend')).toBe(false);
  }
});

test('the base NetworkPolicy lets only Kyverno reach the API port', () => {
  const policy = find<K8sObject & { spec: { ingress: { from?: unknown[]; ports: { port: string }[] }[] } }>(objectsOf('base'), 'NetworkPolicy', APP, NAMESPACE);
  const api = policy.spec.ingress.filter((rule) => rule.ports.some((p) => p.port === 'https'));
  expect(api).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyverno' } } }], ports: [{ port: 'https', protocol: 'TCP' }] }]);
});

describe('Kyverno ClusterPolicies validate against Kyverno’s CRD schema', () => {
  const crd = parseDocuments(readFileSync(resolve(SHARED_FIXTURES, 'kyverno/crds/kyverno.io_clusterpolicies.yaml'), 'utf8'))[0] as unknown as Crd;
  const validator = crdValidator(crd, 'v1', { strict: true, cel: false });
  test.each([
    resolve(DEPLOY, 'samples/kyverno-policy.yaml'),
    resolve(REPO_ROOT, 'examples/kyverno-policy.yaml'),
    resolve(PEER, 'samples/kyverno-policy.yaml'),
    resolve(PEER, 'samples/validate-policy.yaml'),
  ])('%s', (path) => {
    const [policy] = parseDocuments(readFileSync(path, 'utf8'));
    expect(policy?.kind).toBe('ClusterPolicy');
    expect(validator.validate(policy)).toEqual([]);
  });

  test('and a policy with a misspelled field is rejected (the check can fail)', () => {
    const [policy] = parseDocuments(readFileSync(resolve(DEPLOY, 'samples/kyverno-policy.yaml'), 'utf8'));
    const broken = structuredClone(policy) as K8sObject & { spec: Record<string, unknown> };
    broken.spec['validationFailureAction'] = 'Block';
    (broken.spec['rules'] as Record<string, unknown>[])[0]!['mutat'] = {};
    expect(validator.validate(broken)).toEqual(['spec.validationFailureAction: must be equal to one of the allowed values', 'spec.rules[0]: unknown field "mutat"']);
  });
});
