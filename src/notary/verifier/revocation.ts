// Revocation status of a certificate chain and the decision it leads to (trust-store-trust-policy.md, Certificate Revocation Evaluation).
import { AuthorityInfoAccessExtension, CRLDistributionPointsExtension, type X509Certificate } from '../../pki/index.js';
import { NotaryError } from '../errors.js';
import type { RevocationCheckOptions } from '../../pki/index.js';
import type { RevocationSource } from './options.js';
import type { CertificateRevocation } from '../types.js';

/** True when the certificate names an OCSP responder or a CRL distribution point. */
export function hasRevocationInfo(certificate: X509Certificate): boolean {
  const aia = certificate.getExtension(AuthorityInfoAccessExtension);
  if (aia && aia.ocsp.length > 0) return true;
  const cdp = certificate.getExtension(CRLDistributionPointsExtension);
  return Boolean(cdp && cdp.distributionPoints.length > 0);
}

/**
 * Without a checker: a certificate with no OCSP or CRL information is not revocable (the spec
 * performs no check and treats it as valid); any other certificate's status is unknown.
 */
export function offlineRevocationStatus(
  chain: readonly X509Certificate[],
  reason = 'no revocation checker is configured to query its OCSP responder or CRL',
): CertificateRevocation[] {
  return chain.map((certificate) =>
    hasRevocationInfo(certificate)
      ? {
          subject: certificate.subject,
          serialNumber: certificate.serialNumber,
          status: 'unknown',
          error: { code: 'REVOCATION_UNKNOWN', message: reason },
        }
      : { subject: certificate.subject, serialNumber: certificate.serialNumber, status: 'skipped' },
  );
}

/**
 * A chain that failed authenticity (a level that only logs it, e.g. audit) is the sender's: the OCSP
 * and CRL locations it names are never contacted (no requests to addresses an attacker picked), and
 * its revocable certificates report status unknown.
 */
export function untrustedChainRevocationStatus(chain: readonly X509Certificate[]): CertificateRevocation[] {
  return offlineRevocationStatus(
    chain,
    'not checked: the certificate chain failed authenticity, so the OCSP responders and CRL locations it names are not contacted',
  );
}

export async function chainRevocationStatus(
  chain: X509Certificate[],
  checker: RevocationSource | undefined,
  options: RevocationCheckOptions,
): Promise<CertificateRevocation[]> {
  if (!checker) return offlineRevocationStatus(chain);
  try {
    return await checker.check(chain, options);
  } catch (err) {
    if (err instanceof NotaryError && err.code === 'VERIFICATION_TIMEOUT') throw err;
    options.signal?.throwIfAborted();
    const reason = err instanceof Error ? err.message : String(err);
    throw new NotaryError('REVOCATION_UNKNOWN', `unable to check revocation status, err: ${reason}`, { cause: err });
  }
}

/**
 * The chain's verdict: revoked if any certificate is revoked, else unknown if any status is
 * unknown; `good` and `skipped` (not revocable) pass. `what` names the chain in messages.
 */
export function revocationVerdict(statuses: CertificateRevocation[], what: 'signing' | 'timestamping'): NotaryError | undefined {
  const revoked = statuses.find((s) => s.status === 'revoked');
  if (revoked) return new NotaryError('CERTIFICATE_REVOKED', `${what} certificate with subject "${revoked.subject}" is revoked`);
  // Notation reports the certificate nearest the root first; the chain is leaf first.
  const unknown = [...statuses].reverse().find((s) => s.status === 'unknown');
  if (unknown) {
    const detail = unknown.error ? `: ${unknown.error.message}` : '';
    return new NotaryError('REVOCATION_UNKNOWN', `${what} certificate with subject "${unknown.subject}" revocation status is unknown${detail}`);
  }
  return undefined;
}
