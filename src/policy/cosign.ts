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
  /**
   * The `cosign.pub` of the Secret `namespace/name` (Kyverno's `keys.secret` and `k8s://<namespace>/<secret>` keys); the
   * webhook reads it through the Kubernetes API. Without it such keys fail with VERIFIER_UNAVAILABLE.
   */
  secretKey?: (namespace: string, name: string, signal: AbortSignal) => Promise<string>;
  /** The PEM public key of an `awskms://` key (src/aws's awsKmsPublicKeys); other KMS schemes fail with VERIFIER_UNAVAILABLE. */
  kmsKey?: (uri: string, signal: AbortSignal) => Promise<string>;
  /** Kyverno's `type: SigstoreBundle`: only Sigstore bundle referrers count, not cosign's legacy tags. */
  bundlesOnly?: boolean;
}

class Unsupported extends Error {}

const K8S_KEY = /^k8s:\/\/([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)$/;

/** The entry's PEM key: as written, or the `cosign.pub` of the Secret it names; KMS keys are not fetched (a clear reason). */
async function staticKey(request: AttestorCheckRequest, options: CosignAttestorOptions, signal: AbortSignal): Promise<string | undefined> {
  const keys = request.attestor.keys;
  if (!keys) return undefined;
  const written = (keys.publicKeys ?? keys.kms ?? '').trim();
  const named = keys.secret ?? (K8S_KEY.test(written) ? { namespace: K8S_KEY.exec(written)?.[1] as string, name: K8S_KEY.exec(written)?.[2] as string } : undefined);
  if (named) {
    if (!options.secretKey) throw new Unsupported(`the key k8s://${named.namespace}/${named.name} is read from a Kubernetes Secret, which imgverify apply does not do`);
    return options.secretKey(named.namespace, named.name, signal);
  }
  if (written.startsWith('awskms://') && options.kmsKey) return options.kmsKey(written, signal);
  if (/^[a-z0-9]+:\/\//.test(written)) throw new Unsupported(`the key ${written.split('\n')[0] ?? ''} is held by a KMS imgverify does not read (only awskms:// is)`);
  return keys.publicKeys;
}

/** Kyverno's Options for one entry, as CosignVerifyOptions. */
async function cosignOptions(request: AttestorCheckRequest, options: CosignAttestorOptions, signal: AbortSignal): Promise<CosignVerifyOptions> {
  const { attestor, verification } = request;
  const key = await staticKey(request, options, signal);
  const trustedRoot = options.trustedRoot;
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
    ...(options.bundlesOnly ? { formats: 'bundles' as const } : {}),
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
        const outcome = await verifyCosignSignatures(options.client, request.image, await cosignOptions(request, options, signal), signal);
        if (outcome.verified) return { verified: true };
        return { verified: false, error: named(request, outcome.error ?? { code: 'INVALID_SIGNATURE', message: 'no matching signatures' }) };
      } catch (err) {
        signal.throwIfAborted();
        return { verified: false, error: failure(request, err) };
      }
    },
    async fetchAttestations(request, signal) {
      try {
        const outcome = await verifyCosignAttestations(options.client, request.image, { ...(await cosignOptions(request, options, signal)), predicateType: request.attestation.type }, signal);
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
