// A stand-in for the OCSP responders and CRL servers that upstream certificates name (real hosts, unreachable from tests).
import type { X509Certificate } from '@peculiar/x509';
import type { RevocationCheckOptions } from '../../../src/pki/index.js';
import type { CertificateRevocation, RevocationStatus } from '../../../src/notary/types.js';

/**
 * Answers every certificate with `good`, except subjects matched by a rule. Used only where the
 * certificates come from upstream fixtures whose OCSP/CRL URLs point at the internet; chains we
 * generate are checked by the real RevocationChecker against loopback responders.
 */
export class RevocationDouble {
  readonly calls: { purpose?: string; subjects: string[] }[] = [];
  constructor(private readonly rules: { subjectIncludes: string; status: RevocationStatus }[] = []) {}

  async check(chain: X509Certificate[], options: RevocationCheckOptions = {}): Promise<CertificateRevocation[]> {
    this.calls.push({ purpose: options.purpose, subjects: chain.map((c) => c.subject) });
    return chain.map((certificate) => {
      const rule = this.rules.find((r) => certificate.subject.includes(r.subjectIncludes));
      const status = rule?.status ?? 'good';
      return {
        subject: certificate.subject,
        serialNumber: certificate.serialNumber,
        status,
        ...(status === 'unknown' ? { error: { code: 'REVOCATION_UNKNOWN', message: 'the responder double was told not to answer' } } : {}),
      };
    });
  }
}
