// Certificates as cosign's legacy (non-trusted-root) path checks them: PEM lists, chains to given roots, expiry at a time.
import { X509Certificate } from 'node:crypto';
import { readPem } from '../pki/index.js';
import { MAX_CHAIN_CERTIFICATES } from './constants.js';
import { CosignError } from './errors.js';

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';

/** The `CERTIFICATE` blocks of a PEM text, parsed; `what` names the source in errors. */
export function parseCertificates(text: string, what: string, code: 'INVALID_INPUT' | 'MALFORMED_SIGNATURE'): X509Certificate[] {
  const { blocks } = readPem(text, MAX_CHAIN_CERTIFICATES);
  if (blocks.length > MAX_CHAIN_CERTIFICATES) throw new CosignError(code, `${what}: more than ${MAX_CHAIN_CERTIFICATES} certificates`);
  const certificates = blocks
    .filter((block) => block.label === 'CERTIFICATE')
    .map((block) => {
      if (!block.der || block.endLabel !== block.label) throw new CosignError(code, `${what}: malformed PEM block`);
      try {
        return new X509Certificate(Buffer.from(block.der));
      } catch (err) {
        throw new CosignError(code, `${what}: x509: malformed certificate`, { cause: err });
      }
    });
  if (certificates.length === 0) throw new CosignError(code, `${what}: no certificate found in PEM`);
  return certificates;
}

const notBefore = (certificate: X509Certificate): Date => new Date(certificate.validFrom);
const notAfter = (certificate: X509Certificate): Date => new Date(certificate.validTo);

/** Go's x509 EKU rule: a certificate without the extension allows any use; with it, code signing (or any) must be listed. */
function allowsCodeSigning(certificate: X509Certificate): boolean {
  const usages = certificate.keyUsage as string[] | undefined;
  return usages === undefined || usages.includes(CODE_SIGNING) || usages.includes(ANY_EXTENDED_KEY_USAGE);
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

/**
 * The chain from `leaf` to one of `roots` through `intermediates` (leaf first, root last), as Go's
 * x509.Verify builds it for cosign's TrustedCert: every certificate valid at `at` (cosign: the
 * leaf's NotBefore), issuers are CAs, code signing allowed by each certificate that restricts its use.
 */
export function verifyChain(leaf: X509Certificate, roots: readonly X509Certificate[], intermediates: readonly X509Certificate[], at: Date): X509Certificate[] {
  const isRoot = (certificate: X509Certificate): boolean => roots.some((root) => root.fingerprint256 === certificate.fingerprint256);
  const problems: string[] = [];
  const walk = (chain: X509Certificate[]): X509Certificate[] | undefined => {
    const current = chain[chain.length - 1] as X509Certificate;
    if (at < notBefore(current) || at > notAfter(current)) {
      problems.push(`x509: certificate has expired or is not yet valid: ${current.subject.replace(/\n/g, ', ')}`);
      return undefined;
    }
    if (!allowsCodeSigning(current)) {
      problems.push('x509: certificate specifies an incompatible key usage');
      return undefined;
    }
    if (isRoot(current)) return chain;
    if (chain.length > MAX_CHAIN_CERTIFICATES) return undefined;
    for (const issuer of [...roots, ...intermediates]) {
      if (chain.some((seen) => seen.fingerprint256 === issuer.fingerprint256) && !isRoot(issuer)) continue;
      if (!issuedBy(current, issuer)) continue;
      const found = walk([...chain, issuer]);
      if (found) return found;
    }
    return undefined;
  };
  const chain = walk([leaf]);
  if (chain) return chain;
  throw new CosignError(
    problems.some((problem) => problem.includes('expired')) ? 'CERTIFICATE_EXPIRED' : 'INVALID_CERTIFICATE_CHAIN',
    problems[0] ?? 'x509: certificate signed by unknown authority',
  );
}

/** cosign's CheckExpiry: the leaf and its issuers must all be valid at `at` (the tlog or TSA time, else now). */
export function checkExpiry(chain: readonly X509Certificate[], at: Date): void {
  for (const [index, certificate] of chain.entries()) {
    const which = index === 0 ? 'certificate' : 'issuing CA certificate';
    if (at > notAfter(certificate)) {
      throw new CosignError('CERTIFICATE_EXPIRED', `${which} expired before observed time: ${notAfter(certificate).toISOString()} is before ${at.toISOString()}`);
    }
    if (at < notBefore(certificate)) {
      throw new CosignError('CERTIFICATE_EXPIRED', `${which} was issued after observed time: ${notBefore(certificate).toISOString()} is after ${at.toISOString()}`);
    }
  }
}
