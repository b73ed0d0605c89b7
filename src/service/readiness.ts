// Whether the service can verify: what /readyz answers and what a reload warns about (ready means "can verify", not "is running").
import type { ConfigSnapshot } from '../config/index.js';
import { ENV_DEFAULT_TRUST_POLICY } from './constants.js';

/** `warning`: ready, with a caveat /readyz shows (e.g. the last configuration served while the Kubernetes API server is unreachable). */
export type Readiness = { ready: true; warning?: string } | { ready: false; reason: string };

export interface ReadinessInput {
  /** A first snapshot was loaded. */
  loaded: boolean;
  snapshot: ConfigSnapshot;
  /** Trust policy of requests that name none (DEFAULT_TRUST_POLICY), if set. */
  defaultTrustPolicy?: string;
  shuttingDown: boolean;
  /** Why the source cannot follow changes now, if it cannot (the service still verifies with the snapshot it has). */
  sourceWarning?: string;
}

function loadedNames(snapshot: ConfigSnapshot): string {
  const names = [...snapshot.trustPolicies.keys()].sort();
  return names.length > 0 ? `loaded: ${names.join(', ')}` : 'none is loaded';
}

/**
 * Not ready while shutting down, before the configuration is loaded, with no trust policy that
 * compiled, and when DEFAULT_TRUST_POLICY names a policy that is missing or did not compile;
 * the reason says which. Ready with the source's warning when it cannot follow changes now.
 */
export function readiness(input: ReadinessInput): Readiness {
  const state = verifiable(input);
  return state.ready && input.sourceWarning ? { ready: true, warning: input.sourceWarning } : state;
}

function verifiable(input: ReadinessInput): Readiness {
  if (input.shuttingDown) return { ready: false, reason: 'shutting down' };
  if (!input.loaded) return { ready: false, reason: 'configuration not loaded' };
  const { snapshot, defaultTrustPolicy } = input;
  if (defaultTrustPolicy !== undefined) {
    const entry = snapshot.trustPolicies.get(defaultTrustPolicy);
    if (!entry) {
      return {
        ready: false,
        reason: `${ENV_DEFAULT_TRUST_POLICY} names trust policy ${JSON.stringify(defaultTrustPolicy)}, which no TrustPolicy resource provides (${loadedNames(snapshot)})`,
      };
    }
    if (entry.compileError) {
      return { ready: false, reason: `${ENV_DEFAULT_TRUST_POLICY} names trust policy ${JSON.stringify(defaultTrustPolicy)}, which cannot be used: ${entry.compileError.message}` };
    }
    return { ready: true };
  }
  if (snapshot.trustPolicies.size === 0) return { ready: false, reason: 'no trust policy is loaded: add a valid TrustPolicy resource to the configuration' };
  if ([...snapshot.trustPolicies.values()].every((entry) => entry.compileError)) {
    return { ready: false, reason: `no loaded trust policy can be used (${loadedNames(snapshot)}); see the configuration errors in the log` };
  }
  return { ready: true };
}
