// The `registry` label of the registry metrics, bounded by the configuration: a request cannot mint label values.
import type { ConfigSnapshot } from '../config/index.js';
import { canonicalRegistry } from '../reference/index.js';

/** The label of every registry the configuration does not name. */
export const OTHER_REGISTRY_LABEL = 'other';

/** The registries the trust policies' scopes name (`*` names none), canonical, per snapshot. */
function namedRegistries(snapshot: ConfigSnapshot): Set<string> {
  const registries = new Set<string>();
  for (const entry of snapshot.trustPolicies.values()) {
    for (const statement of entry.document.trustPolicies) {
      for (const scope of statement.registryScopes) {
        const slash = scope.indexOf('/');
        if (slash > 0) registries.add(canonicalRegistry(scope.slice(0, slash)));
      }
    }
  }
  return registries;
}

/**
 * `registry` → its label: the registry's canonical name when a trust policy scope of the current
 * snapshot (or `extra`, the registry options' lists) names it, else `other`. Any request may name
 * any registry; labels stay as many as the configuration holds.
 */
export function registryLabeller(current: () => ConfigSnapshot, extra: readonly string[] = []): (registry: string) => string {
  const fixed = extra.map(canonicalRegistry);
  const bySnapshot = new WeakMap<ConfigSnapshot, Set<string>>();
  return (registry) => {
    const snapshot = current();
    let named = bySnapshot.get(snapshot);
    if (!named) {
      named = namedRegistries(snapshot);
      for (const name of fixed) named.add(name);
      bySnapshot.set(snapshot, named);
    }
    const canonical = canonicalRegistry(registry);
    return named.has(canonical) ? canonical : OTHER_REGISTRY_LABEL;
  };
}
