// Registry scopes: their format, and picking the statement that applies to an artifact's repository (exact scope beats `*`).
import { canonicalRepository, isRepositoryPath } from '../../reference/index.js';
import { NotaryError } from '../errors.js';
import { GLOBAL_REGISTRY_SCOPE } from './constants.js';
import { VALIDATION_ACTIONS, VALIDATION_TYPES, verificationActions } from './levels.js';
import type { TrustPolicyDocument, TrustPolicyStatement, TrustPolicyWarning } from './types.js';

// notation-go's host pattern (no IPv6, unlike image references); the repository path is the reference grammar's own.
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;

const SCOPE_FORMAT_HINT =
  'it must be a fully qualified repository without scheme, tag or digest, e.g. registry.example.com/my/repository or localhost:5000/app';

/** Why `scope` is not a valid (non-global) registry scope, or undefined when it is. */
export function registryScopeProblem(scope: string): string | undefined {
  if (scope.includes('*')) return `scope "${scope}" contains "*": the global scope "*" must be used alone, and repository scopes cannot use wildcards`;
  if (scope.includes('://')) return `scope "${scope}" has a scheme; ${SCOPE_FORMAT_HINT}`;
  if (scope.includes('@')) return `scope "${scope}" has a digest; ${SCOPE_FORMAT_HINT}`;
  const slash = scope.indexOf('/');
  if (slash < 0) return `scope "${scope}" has no repository (or no registry: scopes are not expanded, write docker.io/library/${scope}); ${SCOPE_FORMAT_HINT}`;
  const domain = scope.slice(0, slash);
  const repository = scope.slice(slash + 1);
  if (repository.includes(':')) return `scope "${scope}" has a tag; ${SCOPE_FORMAT_HINT}`;
  if (!DOMAIN.test(domain)) return `scope "${scope}" has an invalid registry "${domain}"; ${SCOPE_FORMAT_HINT}`;
  if (!isRepositoryPath(repository)) {
    return `scope "${scope}" has an invalid repository "${repository}" (lower-case letters, digits and separators only); ${SCOPE_FORMAT_HINT}`;
  }
  return undefined;
}

/**
 * The statement that applies to an artifact in `repository` (`registry/repository`, as normalised by
 * the reference parser): the one whose registryScopes contain it, else the global `*` one.
 * Throws NO_APPLICABLE_TRUST_POLICY when neither exists (the spec: the artifact is untrusted).
 *
 * Registries are compared in their canonical spelling (canonicalRegistry: lower-case host, numeric
 * port, no :443, Docker Hub aliases as docker.io), so `DOCKER.IO/x`, `docker.io:443/x` and
 * `127.0.0.1:05000/x` cannot slip past a scope to a weaker `*` statement. notation compares exact
 * strings; this difference is deliberate (the service is an admission gate). Repository paths are
 * compared as written (the grammar makes them lower-case).
 */
export function selectStatement(document: TrustPolicyDocument, repository: string): TrustPolicyStatement {
  if (repository === '' || repository.includes('@') || !repository.includes('/') || repository.slice(repository.indexOf('/') + 1).includes(':')) {
    throw new NotaryError('INVALID_INPUT', `"${repository}" is not a registry/repository (without tag or digest) to select a trust policy statement for`);
  }
  const wanted = canonicalRepository(repository);
  let global: TrustPolicyStatement | undefined;
  for (const statement of document.trustPolicies) {
    if (statement.registryScopes.some((scope) => scope !== GLOBAL_REGISTRY_SCOPE && canonicalRepository(scope) === wanted)) return statement;
    if (statement.registryScopes.includes(GLOBAL_REGISTRY_SCOPE)) global ??= statement;
  }
  if (global) return global;
  throw new NotaryError(
    'NO_APPLICABLE_TRUST_POLICY',
    `artifact "${repository}" has no applicable trust policy statement${document.source ? ` in ${document.source}` : ''}: ` +
      `no statement's registryScopes contains "${repository}" and none is "*"; add the repository to a statement's registryScopes`,
  );
}

/**
 * Warnings for a document whose global `*` statement is weaker than a statement with explicit
 * scopes (some validation is logged or skipped by `*` but enforced by the scoped one): an image
 * whose registry is named differently (another host name, an IP for a name) gets the weaker
 * statement. Each is located at the `*` statement's signatureVerification, what makes it weaker;
 * the message names both statements. Meant for load time, where an operator reads them.
 */
export function weakerGlobalScopeWarnings(document: TrustPolicyDocument): TrustPolicyWarning[] {
  const globalIndex = document.trustPolicies.findIndex((s) => s.registryScopes.includes(GLOBAL_REGISTRY_SCOPE));
  const global = document.trustPolicies[globalIndex];
  if (!global) return [];
  // VALIDATION_ACTIONS is ordered strongest first: enforce, log, skip.
  const strength = (action: string) => VALIDATION_ACTIONS.length - VALIDATION_ACTIONS.indexOf(action as (typeof VALIDATION_ACTIONS)[number]);
  const globalActions = verificationActions(global.signatureVerification).actions;
  const warnings: TrustPolicyWarning[] = [];
  for (const statement of document.trustPolicies) {
    if (statement === global) continue;
    const actions = verificationActions(statement.signatureVerification).actions;
    const weaker = VALIDATION_TYPES.filter((type) => strength(globalActions[type]) < strength(actions[type]));
    if (weaker.length === 0) continue;
    const detail = weaker.map((type) => `${type} ${globalActions[type]} instead of ${actions[type]}`).join(', ');
    const problem =
      `statement "${global.name}" (scope "*", level ${global.signatureVerification.level}) is weaker than statement "${statement.name}" ` +
      `(level ${statement.signatureVerification.level}; ${detail}): an image of ${statement.registryScopes.map((s) => `"${s}"`).join(', ')} ` +
      `named through another host (e.g. localhost for 127.0.0.1, or a DNS alias) gets the "*" statement; registries are compared ` +
      `case-insensitively with numeric ports, no :443 and Docker Hub aliases as docker.io, but different host names stay different`;
    warnings.push({ field: `trustPolicies[${globalIndex}].signatureVerification`, problem, message: problem });
  }
  return warnings;
}
