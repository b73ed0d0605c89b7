// The engine's registry and Notary verifier on imgverify's own registry client and Notary verifier, with Kyverno's
// notary attestor semantics (pkg/image/verifiers/cpol/notary): `certificates.cert` + `certChain` are the one trust
// store `ca:kyverno` of a strict trust policy for every registry and any identity.
import { compileNotaryPolicy, NotaryImageVerifier, type NotaryCompiledPolicy } from '../notary/index.js';
import type { RevocationChecker } from '../pki/index.js';
import type { RegistryClient } from '../oci/index.js';
import type { PinnedImage } from '../verification/index.js';
import type { AttestorVerifier, ImageResolver } from './ports.js';
import { hexDigest } from '../common/hash.js';

/** Signatures tried per image (notation's and the service's default). */
const DEFAULT_MAX_SIGNATURES = 30;

/** Resolves through `secure`, or `insecure` when the rule allows an insecure registry. */
export function registryResolver(secure: RegistryClient, insecure: RegistryClient = secure): ImageResolver {
  return {
    resolve(image, signal) {
      const client = image.insecure ? insecure : secure;
      return client.repository(image.registry, image.repository).resolve(image.digest ?? image.tag ?? 'latest', { signal });
    },
  };
}

export interface NotaryAttestorOptions {
  client: RegistryClient;
  insecureClient?: RegistryClient;
  revocation?: Pick<RevocationChecker, 'check'>;
  maxSignatures?: number;
}

/** `cert` then `certChain`, joined with a newline as Kyverno's combineCerts does. */
function combineCerts(cert: string | undefined, chain: string | undefined): string {
  return [cert, chain].filter((part): part is string => part !== undefined && part !== '').join('\n');
}

/** Kyverno's Notary verifier. Attestations signed with Notary are not verified by Kyverno either: a clear failure. */
export function notaryAttestorVerifier(options: NotaryAttestorOptions): AttestorVerifier {
  const verifier = new NotaryImageVerifier({
    store: (image: PinnedImage) => (image.insecure ? (options.insecureClient ?? options.client) : options.client).repository(image.registry, image.repository),
    maxSignatures: options.maxSignatures ?? DEFAULT_MAX_SIGNATURES,
    ...(options.revocation ? { revocation: options.revocation } : {}),
  });
  const compiled = new Map<string, NotaryCompiledPolicy>();
  const policyFor = (certificates: string): NotaryCompiledPolicy => {
    const known = compiled.get(certificates);
    if (known) return known;
    const policy = compileNotaryPolicy({
      name: 'kyverno',
      cacheKey: hexDigest('sha256', certificates),
      version: '1.0',
      trustPolicies: [{ name: 'kyverno', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:kyverno'], trustedIdentities: ['*'] }],
      trustStores: [{ type: 'ca', name: 'kyverno', caBundle: certificates }],
      source: 'the verifyImages attestor certificates',
    });
    compiled.set(certificates, policy);
    return policy;
  };
  return {
    async verifySignature(request, signal) {
      const certificates = combineCerts(request.attestor.certificates?.cert, request.attestor.certificates?.certChain);
      let policy: NotaryCompiledPolicy;
      try {
        policy = policyFor(certificates);
      } catch (err) {
        return { verified: false, error: { code: 'POLICY_INVALID', message: `failed to parse certificates: ${err instanceof Error ? err.message : String(err)}` } };
      }
      const verdict = await verifier.verify(request.image, policy, signal);
      if (verdict.verified) return { verified: true };
      const error = verdict.error ?? { code: 'INTERNAL_ERROR' as const, message: 'verification failed without a reason' };
      // Messages name the image as the resource does, not the mirror the registry was reached through.
      const reached = `${request.image.registry}/${request.image.repository}@${request.image.digest}`;
      const detail = error.message.replaceAll(reached, request.reference);
      return { verified: false, error: { code: error.code, message: `failed to verify ${request.reference}: ${detail}` } };
    },
    fetchAttestations() {
      const message = 'attestations signed with Notary are not supported (as in Kyverno\'s ClusterPolicy verifyImages); use the Cosign type';
      return Promise.resolve({ statements: [], error: { code: 'VERIFIER_UNAVAILABLE', message } });
    },
  };
}
