// Which certificates may sit in a named store: CA or self-signed for ca/signingAuthority, self-signed root CAs only for tsa.
import type { X509Certificate } from '@peculiar/x509';
import { NotaryError } from '../errors.js';
import { certificateFacts, issuanceProblem, signatureVerifiesWith } from '../../pki/index.js';
import { isTrustStoreType, isValidTrustStoreName, type TrustStoreType } from './types.js';

/**
 * Checks certificates of a named store as notation-go does: in `ca` and `signingAuthority` stores each
 * certificate is a CA or a self-signed (leaf) certificate; in `tsa` stores each is a self-signed,
 * self-issued root CA. Throws INVALID_TRUST_STORE naming `source` and the certificate.
 */
export function validateTrustStoreCertificates(type: TrustStoreType, certificates: readonly X509Certificate[], source: string): void {
  if (certificates.length === 0) {
    throw new NotaryError('INVALID_TRUST_STORE', `${source} holds no certificate; every trust store file must hold a PEM or DER certificate`);
  }
  for (const certificate of certificates) {
    let problem: string | undefined;
    try {
      const facts = certificateFacts(certificate);
      if (type === 'tsa') {
        const rootProblem = issuanceProblem(facts, facts);
        if (rootProblem) problem = `is not a self-signed root CA certificate (${rootProblem}); a tsa store holds only TSA root certificates`;
      } else if (!facts.basicConstraints?.ca && !signatureVerifiesWith(facts, facts)) {
        problem = 'is not a CA certificate or self-signed signing certificate; add the root CA certificate instead';
      }
    } catch (err) {
      throw new NotaryError('INVALID_TRUST_STORE', `${source}: ${(err as Error).message}`, { cause: err });
    }
    if (problem) throw new NotaryError('INVALID_TRUST_STORE', `${source}: certificate with subject "${certificate.subject}" ${problem}`);
  }
}

/** Throws INVALID_TRUST_STORE for a store type or name notation would refuse. */
export function checkTrustStoreReference(type: string, name: string): asserts type is TrustStoreType {
  if (!isTrustStoreType(type)) {
    throw new NotaryError('INVALID_TRUST_STORE', `unsupported trust store type "${type}"; use ca, signingAuthority or tsa`);
  }
  if (!isValidTrustStoreName(name)) {
    throw new NotaryError('INVALID_TRUST_STORE', `trust store name "${name}" is invalid; it must match [a-zA-Z0-9_.-]+`);
  }
}
