// Selecting the statement for an artifact: exact registryScopes match beats the global "*" one; none is NO_APPLICABLE_TRUST_POLICY.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import {
  parseTrustPolicyDocument,
  parseTrustPolicyJson,
  registryScopeProblem,
  selectStatement,
  weakerGlobalScopeWarnings,
  type TrustPolicyDocument,
} from '../../../src/notary/trustpolicy/index.js';
import { LOCAL_FIXTURES, NOTARY_FIXTURES } from '../../support/fixtures.js';

function load(path: string): TrustPolicyDocument {
  return parseTrustPolicyJson(readFileSync(path, 'utf8'), path);
}

const SPEC_EXAMPLE_2 = load(join(LOCAL_FIXTURES, 'trust/trustpolicies/spec-example-2.json'));
const REGISTRY_SCOPE = load(join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies/registry_scope_trustpolicy.json'));
const GLOBAL_ONLY = load(join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies/trustpolicy.json'));

describe('selectStatement', () => {
  const CASES: { document: TrustPolicyDocument; repository: string; statement: string }[] = [
    { document: SPEC_EXAMPLE_2, repository: 'registry.acme-rockets.io/software/net-monitor', statement: 'wabbit-networks-images' },
    { document: SPEC_EXAMPLE_2, repository: 'registry.acme-rockets.io/software/net-logger', statement: 'wabbit-networks-images' },
    { document: SPEC_EXAMPLE_2, repository: 'registry.wabbit-networks.io/software/unsigned/net-utils', statement: 'unsigned-image' },
    { document: SPEC_EXAMPLE_2, repository: 'registry.acme-rockets.io/software/legacy/metrics', statement: 'use-expired-image' },
    // Not listed anywhere, a prefix of a listed scope, or a sub-repository: the global statement.
    { document: SPEC_EXAMPLE_2, repository: 'docker.io/library/alpine', statement: 'global-policy-for-all-other-images' },
    { document: SPEC_EXAMPLE_2, repository: 'registry.acme-rockets.io/software', statement: 'global-policy-for-all-other-images' },
    { document: SPEC_EXAMPLE_2, repository: 'registry.acme-rockets.io/software/net-monitor/sub', statement: 'global-policy-for-all-other-images' },
    { document: REGISTRY_SCOPE, repository: 'localhost:5000/test-repo', statement: 'e2e' },
    { document: GLOBAL_ONLY, repository: 'localhost:5000/anything', statement: 'e2e' },
  ];
  it.each(CASES)('$repository → $statement', ({ document, repository, statement }) => {
    expect(selectStatement(document, repository).name).toBe(statement);
  });

  it('prefers the exact scope whatever the statement order', () => {
    const reversed = { ...SPEC_EXAMPLE_2, trustPolicies: [...SPEC_EXAMPLE_2.trustPolicies].reverse() };
    expect(selectStatement(reversed, 'registry.acme-rockets.io/software/net-monitor').name).toBe('wabbit-networks-images');
  });

  it.each([
    { repository: 'localhost:5000/other-repo', code: 'NO_APPLICABLE_TRUST_POLICY', fragment: 'artifact "localhost:5000/other-repo" has no applicable trust policy statement in' },
    { repository: 'localhost:5000/TEST-REPO', code: 'NO_APPLICABLE_TRUST_POLICY', fragment: 'none is "*"' },
    { repository: 'localhost:5000/test-repo:v1', code: 'INVALID_INPUT', fragment: 'is not a registry/repository' },
    { repository: `localhost:5000/test-repo@sha256:${'0'.repeat(64)}`, code: 'INVALID_INPUT', fragment: 'is not a registry/repository' },
    { repository: 'test-repo', code: 'INVALID_INPUT', fragment: 'is not a registry/repository' },
  ])('$repository → $code', ({ repository, code, fragment }) => {
    let error: unknown;
    try {
      selectStatement(REGISTRY_SCOPE, repository);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NotaryError);
    expect((error as NotaryError).code).toBe(code);
    expect((error as NotaryError).message).toContain(fragment);
  });
});

// A registry scope with a long name run and a bad byte took exponential time to refuse (`[-]*` separator; n = 26 took ~0.5 s, n = 30 minutes).
it.each([26])('a long invalid repository scope is refused at once (n = %i)', (n) => {
  const started = performance.now();
  expect(registryScopeProblem(`registry.io/${'a'.repeat(n)}!`)).toMatch(/has an invalid repository/);
  expect(registryScopeProblem(`registry.io/${'a-'.repeat(n)}a`)).toBeUndefined();
  expect(registryScopeProblem('registry.io/a--b__c.d/e---f')).toBeUndefined();
  expect(performance.now() - started).toBeLessThan(200);
});

describe('registries are compared in their canonical spelling (issue 9 M2; a deliberate difference from notation)', () => {
  const statement = (name: string, scopes: string[], level: string) => ({
    name,
    registryScopes: scopes,
    signatureVerification: { level },
    ...(level === 'skip' ? {} : { trustStores: ['ca:x'], trustedIdentities: ['*'] }),
  });
  const BYPASS = parseTrustPolicyDocument({
    version: '1.0',
    trustPolicies: [
      statement('strict-local', ['127.0.0.1:5000/app'], 'strict'),
      statement('strict-hub', ['docker.io/library/nginx'], 'strict'),
      statement('global-skip', ['*'], 'skip'),
    ],
  });
  it.each([
    ['127.0.0.1:5000/app', 'strict-local'],
    ['127.0.0.1:05000/app', 'strict-local'],
    ['docker.io/library/nginx', 'strict-hub'],
    ['DOCKER.IO/library/nginx', 'strict-hub'],
    ['docker.io:443/library/nginx', 'strict-hub'],
    ['registry-1.docker.io/library/nginx', 'strict-hub'],
    ['index.docker.io/library/nginx', 'strict-hub'],
    // Another name of the host is another registry: it gets "*" (and the load warns about it).
    ['localhost:5000/app', 'global-skip'],
    ['127.0.0.1:5001/app', 'global-skip'],
    ['docker.io/library/nginx-other', 'global-skip'],
  ])('%s → %s', (repository, name) => {
    expect(selectStatement(BYPASS, repository).name).toBe(name);
  });

  it('a scope written in another spelling matches the canonical repository too', () => {
    const document = parseTrustPolicyDocument({ version: '1.0', trustPolicies: [statement('hub', ['Registry-1.Docker.IO:443/library/nginx'], 'strict')] });
    expect(selectStatement(document, 'docker.io/library/nginx').name).toBe('hub');
  });

  it('warns when "*" is weaker than a scoped statement, naming the validations', () => {
    expect(weakerGlobalScopeWarnings(BYPASS).map((warning) => warning.field)).toEqual(['trustPolicies[2].signatureVerification', 'trustPolicies[2].signatureVerification']);
    expect(weakerGlobalScopeWarnings(BYPASS).map((warning) => warning.message)).toEqual([
      'statement "global-skip" (scope "*", level skip) is weaker than statement "strict-local" (level strict; integrity skip instead of enforce, authenticity skip instead of enforce, authenticTimestamp skip instead of enforce, expiry skip instead of enforce, revocation skip instead of enforce): an image of "127.0.0.1:5000/app" named through another host (e.g. localhost for 127.0.0.1, or a DNS alias) gets the "*" statement; registries are compared case-insensitively with numeric ports, no :443 and Docker Hub aliases as docker.io, but different host names stay different',
      'statement "global-skip" (scope "*", level skip) is weaker than statement "strict-hub" (level strict; integrity skip instead of enforce, authenticity skip instead of enforce, authenticTimestamp skip instead of enforce, expiry skip instead of enforce, revocation skip instead of enforce): an image of "docker.io/library/nginx" named through another host (e.g. localhost for 127.0.0.1, or a DNS alias) gets the "*" statement; registries are compared case-insensitively with numeric ports, no :443 and Docker Hub aliases as docker.io, but different host names stay different',
    ]);
    const audit = parseTrustPolicyDocument({ version: '1.0', trustPolicies: [statement('s', ['ghcr.io/a'], 'strict'), statement('g', ['*'], 'audit')] });
    expect(weakerGlobalScopeWarnings(audit)).toHaveLength(1);
    expect(weakerGlobalScopeWarnings(audit)[0]?.problem).toContain('(level strict; authenticity log instead of enforce, authenticTimestamp log instead of enforce, expiry log instead of enforce, revocation log instead of enforce)');
  });

  it.each([
    ['"*" as strict as the scoped one', [statement('s', ['ghcr.io/a'], 'permissive'), statement('g', ['*'], 'strict')]],
    ['no "*" statement', [statement('s', ['ghcr.io/a'], 'strict')]],
    ['only "*"', [statement('g', ['*'], 'audit')]],
    ['a weaker scoped statement (an exception the operator wrote)', [statement('s', ['ghcr.io/a'], 'skip'), statement('g', ['*'], 'strict')]],
  ])('no warning: %s', (_name, trustPolicies) => {
    expect(weakerGlobalScopeWarnings(parseTrustPolicyDocument({ version: '1.0', trustPolicies }))).toEqual([]);
  });
});
