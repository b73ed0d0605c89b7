// The engine as `imgverify apply|test` and the admission webhook run it, wired in one place: tags resolved once through
// the registry client, Notary attestors on our Notary verifier (with revocation), Cosign attestors on src/cosign with
// `awskms://` keys read through AWS KMS; SigstoreBundle attestors on the same cosign verifier, bundle referrers only.
import { awsKmsPublicKeys } from '../aws/index.js';
import { RevocationChecker } from '../pki/index.js';
import type { RegistryClient } from '../oci/index.js';
import { cosignAttestorVerifier } from './cosign.js';
import { createPolicyEngine } from './engine.js';
import type { CompiledKyvernoPolicy } from './model.js';
import { notaryAttestorVerifier, registryResolver } from './notary.js';
import type { AttestorVerifiers } from './ports.js';
import type { PolicyEngine } from './types.js';
import { AttestorVerdictCache } from './verdict-cache.js';

export interface RegistryEngineOptions {
  client: RegistryClient;
  /** Registry → registry actually reached (`ghcr.io` → `127.0.0.1:5000`). */
  registryMirrors?: Record<string, string>;
  /** The `useCache` verdicts every engine of the factory shares (default: a cache with Kyverno's TTL and size). */
  verdicts?: AttestorVerdictCache;
}

/**
 * Engines for policy sets on one registry client; the resolver and verifiers (and their revocation and KMS clients)
 * and the `useCache` verdicts are shared by every engine it makes, so a webhook rebuilding its engine on a policy change
 * keeps them (a changed verifyImages entry is another cache key).
 */
export function registryEngineFactory(options: RegistryEngineOptions): (policies: CompiledKyvernoPolicy[]) => PolicyEngine {
  const { client } = options;
  const resolver = registryResolver(client);
  const kmsKey = awsKmsPublicKeys();
  const verifiers: AttestorVerifiers = {
    Notary: notaryAttestorVerifier({ client, revocation: new RevocationChecker() }),
    Cosign: cosignAttestorVerifier({ client, kmsKey }),
    SigstoreBundle: cosignAttestorVerifier({ client, kmsKey, bundlesOnly: true }),
  };
  const verdicts = options.verdicts ?? new AttestorVerdictCache();
  return (policies) => createPolicyEngine({ policies, resolver, verifiers, verdicts, ...(options.registryMirrors ? { registryMirrors: options.registryMirrors } : {}) });
}
