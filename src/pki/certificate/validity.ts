// Certificate validity periods: is a time (or a time range, such as a timestamp's) inside every certificate's of a chain.
import type { X509Certificate } from '@peculiar/x509';
import { PkiError } from '../errors.js';

/** A time, or a time range (e.g. a timestamp's [earliest, latest]) that must lie inside every validity period. */
export type ValidityTime = Date | { earliest: Date; latest: Date };

/**
 * Throws CERTIFICATE_EXPIRED naming the first certificate whose validity period does not contain
 * `at` (or the whole range). Validity periods need not nest (spec "Other requirements" 5).
 */
export function validateChainValidity(chain: readonly X509Certificate[], at: ValidityTime): void {
  const earliest = at instanceof Date ? at : at.earliest;
  const latest = at instanceof Date ? at : at.latest;
  const when = at instanceof Date ? `at ${at.toISOString()}` : `between ${earliest.toISOString()} and ${latest.toISOString()}`;
  for (const certificate of chain) {
    const { notBefore, notAfter, subject } = certificate;
    const period = `it is valid from ${notBefore.toISOString()} to ${notAfter.toISOString()}`;
    if (earliest.getTime() < notBefore.getTime()) {
      throw new PkiError('CERTIFICATE_EXPIRED', `certificate with subject "${subject}" was not yet valid ${when}: ${period}`);
    }
    if (latest.getTime() > notAfter.getTime()) {
      throw new PkiError('CERTIFICATE_EXPIRED', `certificate with subject "${subject}" had expired ${when}: ${period}`);
    }
  }
}
