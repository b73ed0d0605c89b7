// The outcome of judging one revocation source (an OCSP response or a CRL) for one certificate.

export interface RevocationEvaluation {
  status: 'good' | 'revoked' | 'unknown';
  /** Why the status is unknown, said so a user can act. */
  error?: string;
  revocationTime?: Date;
  /** CRLReason code, when the source states one. */
  reason?: number;
  thisUpdate?: Date;
  /** Until when the answer may be reused (cache expiry). */
  nextUpdate?: Date;
  /** Extra detail for a good status, e.g. a revocation after the authentic signing time. */
  note?: string;
}
