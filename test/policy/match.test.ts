// match/exclude as Kyverno documents them (writing-policies/match-exclude): table-driven on plain data, no registry.
import { describe, expect, it } from 'vitest';
import { kindMatches, parseKindSelector, ruleMismatch, type MatchSubject } from '../../src/policy/match.js';
import { policiesOf } from './support.js';

function rule(match: string, exclude = ''): Parameters<typeof ruleMismatch>[0] {
  const text = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata: {name: p}
spec:
  rules:
  - name: r
    match: ${match}
${exclude ? `    exclude: ${exclude}\n` : ''}    verifyImages:
    - imageReferences: ["*"]
      mutateDigest: false
      attestors: [{entries: [{certificates: {cert: x}}]}]
      type: Notary
`;
  const [policy] = policiesOf(text);
  return policy?.rules[0] as Parameters<typeof ruleMismatch>[0];
}

const base: MatchSubject = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  subResource: '',
  name: 'web-1',
  namespace: 'prod',
  labels: { app: 'web', tier: 'front' },
  annotations: { 'team.io/owner': 'alice' },
  namespaceLabels: { env: 'production' },
  operation: 'CREATE',
};

describe('parseKindSelector (Kyverno ParseKindSelector)', () => {
  it.each([
    ['Pod', ['*', '*', 'Pod', '']],
    ['v1/Pod', ['*', 'v1', 'Pod', '']],
    ['apps/v1/Deployment', ['apps', 'v1', 'Deployment', '']],
    ['Pod/status', ['*', '*', 'Pod', 'status']],
    ['Pod.status', ['*', '*', 'Pod', 'status']],
    ['tekton.dev/v1beta1/TaskRun.status', ['tekton.dev', 'v1beta1', 'TaskRun', 'status']],
    ['v1/Pod/ephemeralcontainers', ['*', 'v1', 'Pod', 'ephemeralcontainers']],
    ['*/*', ['*', '*', '*', '*']],
  ])('%s', (input, [group, version, kind, subResource]) => {
    expect(parseKindSelector(input)).toEqual({ group, version, kind, subResource });
  });

  it.each([
    { kinds: ['Pod'], subject: {}, matches: true },
    { kinds: ['Pod'], subject: { subResource: 'status' }, matches: false },
    { kinds: ['Pod'], subject: { subResource: 'ephemeralcontainers' }, matches: true },
    { kinds: ['apps/v1/Deployment'], subject: { group: 'apps', kind: 'Deployment' }, matches: true },
    { kinds: ['apps/v1/Deployment'], subject: { group: 'extensions', kind: 'Deployment' }, matches: false },
    { kinds: ['v1/Pod'], subject: { version: 'v2' }, matches: false },
    { kinds: ['tekton.dev/v1beta1/TaskRun.status'], subject: { group: 'tekton.dev', version: 'v1beta1', kind: 'TaskRun', subResource: 'status' }, matches: true },
    { kinds: ['tekton.dev/v1beta1/TaskRun.status'], subject: { group: 'tekton.dev', version: 'v1beta1', kind: 'TaskRun' }, matches: false },
    { kinds: ['*'], subject: { kind: 'ConfigMap' }, matches: true },
    { kinds: ['Po?'], subject: {}, matches: true },
  ])('kinds $kinds against $subject → $matches', ({ kinds, subject, matches }) => {
    expect(kindMatches(kinds, { ...base, ...subject })).toBe(matches);
  });
});

describe('ruleMismatch', () => {
  it.each([
    { name: 'kind', match: '{any: [{resources: {kinds: [Pod]}}]}', subject: {}, applies: true },
    { name: 'other kind', match: '{any: [{resources: {kinds: [Deployment]}}]}', subject: {}, applies: false },
    { name: 'any: one filter suffices', match: '{any: [{resources: {kinds: [Deployment]}}, {resources: {kinds: [Pod]}}]}', subject: {}, applies: true },
    { name: 'all: every filter', match: '{all: [{resources: {kinds: [Pod]}}, {resources: {namespaces: [dev]}}]}', subject: {}, applies: false },
    { name: 'legacy resources', match: '{resources: {kinds: [Pod], namespaces: ["pr*"]}}', subject: {}, applies: true },
    { name: 'names wildcard', match: '{any: [{resources: {kinds: [Pod], names: ["web-*"]}}]}', subject: {}, applies: true },
    { name: 'names miss', match: '{any: [{resources: {kinds: [Pod], names: ["db-*"]}}]}', subject: {}, applies: false },
    { name: 'namespace wildcard', match: '{any: [{resources: {kinds: [Pod], namespaces: ["pro?"]}}]}', subject: {}, applies: true },
    { name: 'label selector', match: '{any: [{resources: {kinds: [Pod], selector: {matchLabels: {app: web}}}}]}', subject: {}, applies: true },
    { name: 'label selector wildcard value', match: '{any: [{resources: {kinds: [Pod], selector: {matchLabels: {tier: "fr*"}}}}]}', subject: {}, applies: true },
    { name: 'label expression NotIn', match: '{any: [{resources: {kinds: [Pod], selector: {matchExpressions: [{key: app, operator: NotIn, values: [web]}]}}}]}', subject: {}, applies: false },
    { name: 'label expression DoesNotExist', match: '{any: [{resources: {kinds: [Pod], selector: {matchExpressions: [{key: debug, operator: DoesNotExist}]}}}]}', subject: {}, applies: true },
    { name: 'namespace selector', match: '{any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {env: production}}}}]}', subject: {}, applies: true },
    { name: 'namespace selector miss', match: '{any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {env: dev}}}}]}', subject: {}, applies: false },
    { name: 'annotations wildcard', match: '{any: [{resources: {kinds: [Pod], annotations: {"team.io/*": "al*"}}}]}', subject: {}, applies: true },
    { name: 'operations', match: '{any: [{resources: {kinds: [Pod], operations: [UPDATE]}}]}', subject: {}, applies: false },
    { name: 'operations UPDATE', match: '{any: [{resources: {kinds: [Pod], operations: [UPDATE]}}]}', subject: { operation: 'UPDATE' as const }, applies: true },
    { name: 'subjects at admission', match: '{any: [{resources: {kinds: [Pod]}, subjects: [{kind: User, name: "ci-*"}]}]}', subject: { userInfo: { username: 'alice' } }, applies: false },
    { name: 'subjects ignored without user info (CLI)', match: '{any: [{resources: {kinds: [Pod]}, subjects: [{kind: User, name: "ci-*"}]}]}', subject: {}, applies: true },
    { name: 'service account subject', match: '{any: [{resources: {kinds: [Pod]}, subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]}]}', subject: { userInfo: { username: 'system:serviceaccount:ci:deployer' } }, applies: true },
  ])('match: $name → $applies', ({ match, subject, applies }) => {
    expect(ruleMismatch(rule(match), { ...base, ...subject }) === undefined).toBe(applies);
  });

  it.each([
    { name: 'exclude any: one filter excludes', exclude: '{any: [{resources: {namespaces: [kube-system]}}, {resources: {names: ["web-*"]}}]}', applies: false },
    { name: 'exclude all: every filter must', exclude: '{all: [{resources: {namespaces: [prod]}}, {resources: {names: ["db-*"]}}]}', applies: true },
    { name: 'exclude all: both hold', exclude: '{all: [{resources: {namespaces: [prod]}}, {resources: {names: ["web-*"]}}]}', applies: false },
    { name: 'exclude by label', exclude: '{any: [{resources: {selector: {matchLabels: {app: web}}}}]}', applies: false },
    { name: 'exclude other namespace', exclude: '{any: [{resources: {namespaces: [kube-system]}}]}', applies: true },
  ])('exclude: $name → $applies', ({ exclude, applies }) => {
    expect(ruleMismatch(rule('{any: [{resources: {kinds: [Pod]}}]}', exclude), base) === undefined).toBe(applies);
  });

  it('a namespaced Policy only sees its own namespace', () => {
    const r = rule('{any: [{resources: {kinds: [Pod]}}]}');
    expect(ruleMismatch(r, base, 'prod')).toBeUndefined();
    expect(ruleMismatch(r, base, 'dev')).toBe('policy and resource namespaces mismatch');
  });
});
