// The policy engine: every matching policy's verifyImages rules on an admission request (implementation follows).
import type { CompiledKyvernoPolicy } from './model.js';
import type { AttestorVerifiers, ImageResolver } from './ports.js';
import type { AdmissionRequestView, EngineResponse, PolicyEngine, RuleResponse } from './types.js';

export interface PolicyEngineOptions {
  policies: CompiledKyvernoPolicy[];
  /** Resolves each image's tag once; the engine verifies that digest. */
  resolver: ImageResolver;
  /** One verifier per signature type; a rule whose type has none answers `error` (VERIFIER_UNAVAILABLE). */
  verifiers: AttestorVerifiers;
  /** Registry → registry actually reached (`ghcr.io` → `127.0.0.1:5000`); messages and patches keep the original. */
  registryMirrors?: Record<string, string>;
  /** Registries reached over plain HTTP or unverified TLS when a rule's imageRegistryCredentials.allowInsecureRegistry asks. */
  allowInsecureRegistries?: boolean;
}

/** A response that makes the admission request fail: an enforced rule that failed or could not be evaluated. */
export function blocksRequest(rule: RuleResponse): boolean {
  return rule.failureAction === 'Enforce' && (rule.status === 'fail' || rule.status === 'error');
}

export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  return {
    evaluate(request: AdmissionRequestView): Promise<EngineResponse> {
      void options;
      return Promise.resolve({ rules: [], patches: [], patched: request.object, verifiedImages: [] });
    },
  };
}
