// Token scopes of the distribution token spec: `repository:<name>:<actions>`, merged per resource.

export type RepositoryAction = 'pull' | 'push' | 'delete';

export function repositoryScope(repository: string, actions: RepositoryAction[]): string {
  return `repository:${repository}:${[...new Set(actions)].sort().join(',')}`;
}

/**
 * Union of scopes with actions merged per resource, sorted: a stable cache key and the minimal
 * set of `scope` parameters to ask for.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of scopes) {
    for (const part of scope.split(' ')) {
      if (!part) continue;
      const lastColon = part.lastIndexOf(':');
      if (lastColon <= 0) continue;
      const resource = part.slice(0, lastColon);
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const action of part.slice(lastColon + 1).split(',')) if (action) actions.add(action);
      byResource.set(resource, actions);
    }
  }
  return [...byResource.entries()].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`).sort();
}
