// The revocation status of one certificate, as verdicts and evidence carry it.
import type { ErrorInfo } from '../../verification/index.js';

export type RevocationStatus = 'good' | 'revoked' | 'unknown' | 'skipped';

export interface CertificateRevocation {
  subject: string;
  serialNumber: string;
  status: RevocationStatus;
  /** 'ocsp' | 'crl' when a source answered. */
  source?: 'ocsp' | 'crl';
  revocationTime?: string;
  error?: ErrorInfo;
}
