// Authentic timestamp: when the signing chain must be valid, and the RFC 3161 countersignature that can prove it (trust-store-trust-policy.md).
import type { X509Certificate } from '@peculiar/x509';
import { isNotaryFailure, NotaryError } from '../errors.js';
import type { RevocationSource } from './options.js';
import type { TrustStoreProvider } from '../truststore/index.js';
import type { CertificateRevocation, SignerInfo } from '../types.js';
import { validateChainValidity, verifyTimestampToken, type VerifiedTimestamp } from '../../pki/index.js';
import { validateTimestampingChain } from '../x509/index.js';
import { TRUST_STORE_TYPE_TSA, TSA_TRUST_HINT, VERIFY_TIMESTAMP_AFTER_CERT_EXPIRY } from './constants.js';
import { loadTrustAnchors } from './authenticity.js';
import { storeNames, type AppliedPolicy } from './policy.js';
import { chainRevocationStatus, revocationVerdict } from './revocation.js';
import type { WorkBudget } from './budget.js';

export interface AuthenticTimestampOutcome {
  /** The time the signature is proven to exist at or before (timestamp genTime, or the SA's authentic signing time). */
  authenticSigningTime?: Date;
  /**
   * The latest time the signature can have been made (the timestamp's upper limit, or the SA's
   * authentic signing time): a revocation effective after it does not invalidate the signature.
   */
  signedNoLaterThan?: Date;
  /** Revocation status of the TSA chain, when a timestamp was verified. */
  tsaRevocation?: CertificateRevocation[];
}

/** True when any certificate of the chain has expired at `now` (the `afterCertExpiry` trigger). */
function chainExpired(chain: readonly X509Certificate[], now: Date): boolean {
  return chain.some((c) => c.notAfter.getTime() < now.getTime());
}

/**
 * The spec's "sufficient and necessary conditions to trigger timestamp countersignature
 * verification" for notary.x509: a `tsa` store is configured and `verifyTimestamp` is `always`
 * (the default) or `afterCertExpiry` with an expired chain. (The `skip` action is handled by the caller.)
 */
function timestampVerificationRequired(policy: AppliedPolicy, chain: readonly X509Certificate[], now: Date): boolean {
  if (storeNames(policy, TRUST_STORE_TYPE_TSA).length === 0) return false;
  if (policy.verifyTimestamp === VERIFY_TIMESTAMP_AFTER_CERT_EXPIRY) return chainExpired(chain, now);
  return true;
}

export interface AuthenticTimestampInput {
  signerInfo: SignerInfo;
  chain: X509Certificate[];
  policy: AppliedPolicy;
  trustStore: TrustStoreProvider;
  revocation?: RevocationSource;
  now: Date;
  signal?: AbortSignal;
  budget?: WorkBudget;
}

/**
 * Validate Authentic Timestamp. Throws CERTIFICATE_EXPIRED, TIMESTAMP_MISSING, INVALID_TIMESTAMP,
 * UNTRUSTED_TIMESTAMP, CERTIFICATE_REVOKED or REVOCATION_UNKNOWN (TSA chain).
 */
export async function verifyAuthenticTimestamp(input: AuthenticTimestampInput): Promise<AuthenticTimestampOutcome> {
  const { signerInfo, chain, policy, now } = input;
  const { signedAttributes } = signerInfo;

  if (signedAttributes.signingScheme === 'notary.x509.signingAuthority') {
    const authenticSigningTime = signedAttributes.authenticSigningTime;
    if (!authenticSigningTime) {
      throw new NotaryError('TIMESTAMP_MISSING', 'the signature has no authentic signing time, which signing scheme notary.x509.signingAuthority requires');
    }
    validateChainValidity(chain, authenticSigningTime);
    return { authenticSigningTime, signedNoLaterThan: authenticSigningTime };
  }

  if (!timestampVerificationRequired(policy, chain, now)) {
    // No timestamp to rely on: every certificate must be valid now (spec "Other requirements" 4).
    validateChainValidity(chain, now);
    return {};
  }

  const token = signerInfo.unsignedAttributes.timestampSignature;
  if (!token || token.length === 0) {
    throw new NotaryError('TIMESTAMP_MISSING', 'no timestamp countersignature was found in the signature envelope');
  }
  const tsaRoots = await loadTrustAnchors(input.trustStore, policy, TRUST_STORE_TYPE_TSA, input.signal);
  if (tsaRoots.length === 0) {
    throw new NotaryError('UNTRUSTED_TIMESTAMP', `no trusted TSA certificate found in the "tsa" trust stores of trust policy statement "${policy.name}"`);
  }
  // The token's own signature and its certificates' issuance are paid before; its certificates as they come.
  input.budget?.spend('bytesParsed', token.byteLength);
  input.budget?.spend('signaturesChecked', 1);
  const timestamp = await verifiedTimestamp(token, signerInfo.signature, tsaRoots, input.signal);
  input.budget?.spend('certificatesParsed', timestamp.tsaChain.length);
  input.budget?.spend('signaturesChecked', timestamp.tsaChain.length);
  // notation-go checks the TSA chain it built against the certificate requirements before using the time.
  checkTimestampingChain(timestamp.tsaChain);
  // The timestamp is not compared with the signing time: that claim is unauthenticated (signature
  // spec, Standard attributes) and JWS keeps only whole seconds, so a TSA stating 1 s accuracy
  // would reject every fresh signature. notation-go dropped the same check (notation-go#518).
  validateChainValidity(chain, { earliest: timestamp.earliest, latest: timestamp.latest });
  const tsaRevocation = await chainRevocationStatus(timestamp.tsaChain, input.revocation, { signal: input.signal, purpose: 'timestamping' });
  const verdict = revocationVerdict(tsaRevocation, 'timestamping');
  if (verdict) throw verdict;
  return { authenticSigningTime: timestamp.genTime, signedNoLaterThan: timestamp.latest, tsaRevocation };
}

/** pki's token verification with notary's hint on untrusted TSAs; an abort is VERIFICATION_TIMEOUT. */
async function verifiedTimestamp(token: Uint8Array, signature: Uint8Array, tsaRoots: X509Certificate[], signal: AbortSignal | undefined): Promise<VerifiedTimestamp> {
  try {
    return await verifyTimestampToken(token, signature, tsaRoots, { untrustedHint: TSA_TRUST_HINT, ...(signal && { signal }) });
  } catch (err) {
    if (signal?.aborted && !isNotaryFailure(err)) throw new NotaryError('VERIFICATION_TIMEOUT', 'timestamp verification was cancelled', { cause: err });
    throw err;
  }
}

/** The Notary certificate requirements for a timestamping chain; a failure is INVALID_TIMESTAMP (authenticTimestamp). */
function checkTimestampingChain(tsaChain: readonly X509Certificate[]): void {
  try {
    validateTimestampingChain(tsaChain);
  } catch (err) {
    if (!isNotaryFailure(err)) throw err;
    throw new NotaryError('INVALID_TIMESTAMP', `invalid timestamp: the TSA chain is refused: ${err.message}`, { cause: err });
  }
}
