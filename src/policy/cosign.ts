// The Cosign attestor type on src/cosign, with Kyverno's option mapping (buildCosignVerifier): keys, certificates,
// keyless, rekor, ctlog, annotations and repository of the attestor, else of the verifyImages entry.
import { verifyCosignAttestations, verifyCosignSignatures, type CosignVerifyOptions, type SignatureAlgorithm } from '../cosign/index.js';
import type { RegistryClient } from '../oci/index.js';
import { toErrorInfo, type ErrorInfo } from '../verification/index.js';
import type { AttestorCheckRequest, AttestorVerifier } from './ports.js';

export interface CosignAttestorOptions {
  client: RegistryClient;
  /** A trusted_root.json (its text) for keyless and transparency-log keys instead of the public-good root. */
  trustedRoot?: string;
}

class Unsupported extends Error {}

/** A key Kyverno fetches from elsewhere (a Secret, a KMS): not available here, so the entry fails with a clear reason. */
function staticKey(request: AttestorCheckRequest): string | undefined {
  const keys = request.attestor.keys;
  if (!keys) return undefined;
  if (keys.secret) throw new Unsupported(`keys.secret (k8s://${keys.secret.namespace}/${keys.secret.name}) needs the Kubernetes API, which imgverify apply does not use`);
  const key = keys.publicKeys ?? keys.kms ?? '';
  if (/^[a-z0-9]+:\/\//.test(key.trim())) throw new Unsupported(`the key ${key.trim().split('\n')[0] ?? ''} is fetched from a Secret or KMS, which imgverify does not do yet`);
  return key;
}

/** Kyverno's Options for one entry, as CosignVerifyOptions. */
function cosignOptions(request: AttestorCheckRequest, trustedRoot: string | undefined): CosignVerifyOptions {
  const { attestor, verification } = request;
  const key = staticKey(request);
  const source = attestor.keys ?? attestor.certificates ?? attestor.keyless;
  const repository = attestor.repository ?? verification.repository;
  const annotations = attestor.annotations;
  return {
    ...(key !== undefined ? { keys: [key], signatureAlgorithm: (attestor.keys?.signatureAlgorithm || 'sha256') as SignatureAlgorithm } : {}),
    ...(attestor.certificates?.cert ? { certificate: attestor.certificates.cert } : {}),
    ...(attestor.certificates?.certChain ? { certificateChain: attestor.certificates.certChain } : {}),
    ...(attestor.keyless ? { keyless: { ...attestor.keyless } } : {}),
    ...(source?.rekor ? { rekor: source.rekor } : {}),
    ...(source?.ctlog ? { ctlog: { ...(source.ctlog.pubKey ? { pubKey: source.ctlog.pubKey } : {}), ...(source.ctlog.ignoreSCT !== undefined ? { ignoreSCT: source.ctlog.ignoreSCT } : {}) } } : {}),
    ...(annotations ? { annotations } : {}),
    ...(repository ? { repository: request.reach(repository) } : {}),
    ...(trustedRoot !== undefined ? { trustedRoot } : {}),
  };
}

/** The error in the resource's names (not the mirror the registry was reached through). */
function named(request: AttestorCheckRequest, error: ErrorInfo): ErrorInfo {
  const reached = `${request.image.registry}/${request.image.repository}`;
  const written = request.reference.slice(0, request.reference.lastIndexOf('@'));
  return { code: error.code, message: error.message.replaceAll(reached, written) };
}

function failure(request: AttestorCheckRequest, err: unknown): ErrorInfo {
  if (err instanceof Unsupported) return { code: 'VERIFIER_UNAVAILABLE', message: err.message };
  return named(request, toErrorInfo(err));
}

export function cosignAttestorVerifier(options: CosignAttestorOptions): AttestorVerifier {
  return {
    async verifySignature(request, signal) {
      try {
        const outcome = await verifyCosignSignatures(options.client, request.image, cosignOptions(request, options.trustedRoot), signal);
        if (outcome.verified) return { verified: true };
        return { verified: false, error: named(request, outcome.error ?? { code: 'INVALID_SIGNATURE', message: 'no matching signatures' }) };
      } catch (err) {
        signal.throwIfAborted();
        return { verified: false, error: failure(request, err) };
      }
    },
    async fetchAttestations(request, signal) {
      try {
        const outcome = await verifyCosignAttestations(options.client, request.image, { ...cosignOptions(request, options.trustedRoot), predicateType: request.attestation.type }, signal);
        if (!outcome.verified) return { statements: [], error: named(request, outcome.error ?? { code: 'ATTESTATION_NOT_FOUND', message: 'no matching attestations' }) };
        // Kyverno's statements carry the predicate type as `type` (buildStatementMap reads it there).
        return { statements: outcome.statements.map((statement) => ({ ...statement, type: statement.predicateType })) };
      } catch (err) {
        signal.throwIfAborted();
        return { statements: [], error: failure(request, err) };
      }
    },
  };
}
