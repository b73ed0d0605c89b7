// Registry scopes: their format, and picking the statement that applies to an artifact's repository (exact scope beats `*`).
import { isRepositoryPath } from '../../reference/index.js';
import { NotaryError } from '../errors.js';
import { GLOBAL_REGISTRY_SCOPE } from './constants.js';
import type { TrustPolicyDocument, TrustPolicyStatement } from './types.js';

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
 * the reference parser): the one whose registryScopes contain it exactly, else the global `*` one.
 * Throws NO_APPLICABLE_TRUST_POLICY when neither exists (the spec: the artifact is untrusted).
 */
export function selectStatement(document: TrustPolicyDocument, repository: string): TrustPolicyStatement {
  if (repository === '' || repository.includes('@') || !repository.includes('/') || repository.slice(repository.indexOf('/') + 1).includes(':')) {
    throw new NotaryError('INVALID_INPUT', `"${repository}" is not a registry/repository (without tag or digest) to select a trust policy statement for`);
  }
  let global: TrustPolicyStatement | undefined;
  for (const statement of document.trustPolicies) {
    if (statement.registryScopes.includes(repository)) return statement;
    if (statement.registryScopes.includes(GLOBAL_REGISTRY_SCOPE)) global ??= statement;
  }
  if (global) return global;
  throw new NotaryError(
    'NO_APPLICABLE_TRUST_POLICY',
    `artifact "${repository}" has no applicable trust policy statement${document.source ? ` in ${document.source}` : ''}: ` +
      `no statement's registryScopes contains "${repository}" and none is "*"; add the repository to a statement's registryScopes`,
  );
}
