// Certificate chain rules of signature-specification.md "Certificate Requirements", for code signing and timestamping chains.
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import {
  certificateFacts,
  EKU_OID,
  isSelfSignedCa,
  issuanceProblem,
  KEY_USAGE,
  signatureVerifiesWith,
  validateChainValidity,
  type CertificateFacts,
} from '../../pki/index.js';
import { ALLOWED_RSA_KEY_BITS, CODE_SIGNING_EXCLUDED_EKUS, LEAF_FORBIDDEN_KEY_USAGES, MAX_CERTIFICATE_CHAIN_LENGTH } from './constants.js';

export interface ChainValidationOptions {
  /** When given, every certificate must be valid at this time (e.g. the signing time). */
  atTime?: Date;
}

/** What differs between a code signing chain and a timestamping chain. */
interface ChainRules {
  /** Leaf name in messages. */
  leafLabel: string;
  /** Code signing wants keyUsage critical; for timestamping it is only a SHOULD. */
  keyUsageMustBeCritical: boolean;
  leafExtendedKeyUsageProblem(facts: CertificateFacts): string | undefined;
}

const CODE_SIGNING_RULES: ChainRules = {
  leafLabel: 'signing certificate',
  keyUsageMustBeCritical: true,
  leafExtendedKeyUsageProblem(facts) {
    for (const usage of facts.extendedKeyUsage?.usages ?? []) {
      const excluded = CODE_SIGNING_EXCLUDED_EKUS.get(usage);
      if (excluded) return `extended key usage must not contain ${excluded}; a code signing certificate may only list codeSigning`;
    }
    return undefined;
  },
};

const TIMESTAMPING_RULES: ChainRules = {
  leafLabel: 'timestamp signing certificate',
  keyUsageMustBeCritical: false,
  leafExtendedKeyUsageProblem(facts) {
    const eku = facts.extendedKeyUsage;
    // RFC 3161 2.3: exactly one purpose, timeStamping, in a critical extension.
    if (!eku || eku.usages.length !== 1 || eku.usages[0] !== EKU_OID.timeStamping) {
      return 'extended key usage must contain timeStamping and nothing else (RFC 3161 2.3)';
    }
    if (!eku.critical) return 'the extended key usage extension must be marked critical (RFC 3161 2.3)';
    return undefined;
  },
};

/**
 * Validates an ordered code signing chain (leaf first, root last) against the Notary certificate
 * requirements, as notation-core-go's ValidateCodeSigningCertChain does. Throws NotaryError
 * INVALID_CERTIFICATE_CHAIN (or PkiError INVALID_CERTIFICATE_CHAIN when a certificate cannot be read), or
 * PkiError CERTIFICATE_EXPIRED when `atTime` is outside a certificate's validity.
 */
export function validateCodeSigningChain(chain: readonly X509Certificate[], options: ChainValidationOptions = {}): void {
  validateChain(chain, CODE_SIGNING_RULES, options);
}

/** The timestamping variant (RFC 3161 TSA chains): timeStamping-only critical EKU, keyUsage need not be critical. */
export function validateTimestampingChain(chain: readonly X509Certificate[], options: ChainValidationOptions = {}): void {
  validateChain(chain, TIMESTAMPING_RULES, options);
}

function validateChain(chain: readonly X509Certificate[], rules: ChainRules, options: ChainValidationOptions): void {
  if (chain.length === 0) fail('certificate chain must contain at least one certificate');
  if (chain.length > MAX_CERTIFICATE_CHAIN_LENGTH) {
    fail(`certificate chain has ${chain.length} certificates, more than the limit of ${MAX_CERTIFICATE_CHAIN_LENGTH}`);
  }
  const facts = chain.map((certificate) => certificateFacts(certificate));
  for (const certificate of facts) checkEncoding(certificate);

  const [leaf] = facts;
  if (leaf && facts.length === 1) {
    // A lone certificate is its own root and must meet the leaf rules (spec "Other requirements" 1).
    if (!signatureVerifiesWith(leaf, leaf)) {
      fail(
        `${subjectOf(leaf)} is the only certificate of the chain but is not self-signed (its signature does not verify with its own key); ` +
          'include the issuing CA certificates up to the root',
      );
    }
    if (!bytesEqual(leaf.rawSubject, leaf.rawIssuer)) {
      fail(`${subjectOf(leaf)} is the only certificate of the chain but is not self-issued (its issuer is "${leaf.issuer}")`);
    }
    checkLeaf(leaf, rules);
  } else {
    facts.forEach((certificate, index) => {
      const last = index === facts.length - 1;
      if (last) {
        const problem = issuanceProblem(certificate, certificate);
        if (problem) {
          fail(`root ${subjectOf(certificate)} is not a valid self-signed root: ${problem}; the chain must end with a self-signed root certificate`);
        }
      } else {
        if (isSelfSignedCa(certificate)) {
          fail(
            `${index === 0 ? 'leaf' : 'intermediate'} ${subjectOf(certificate)} is self-signed; ` +
              'only the last certificate of the chain may be self-signed (remove extra root certificates)',
          );
        }
        const parent = facts[index + 1] as CertificateFacts;
        const problem = issuanceProblem(certificate, parent);
        if (problem) fail(`${subjectOf(certificate)} is not issued by "${parent.subject}": ${problem}; order the chain leaf first, root last`);
      }
      if (index === 0) checkLeaf(certificate, rules);
      else checkCa(certificate, index - 1, rules);
    });
  }
  if (options.atTime) validateChainValidity(chain, options.atTime);
}

function checkEncoding(certificate: CertificateFacts): void {
  // Before any signature of the chain is checked: the keys are the sender's choice.
  if (certificate.keyProblem !== undefined) fail(`${subjectOf(certificate)} is refused: ${certificate.keyProblem}`);
  if (!certificate.signatureAlgorithm.allowed) {
    fail(
      `${subjectOf(certificate)} is signed with ${certificate.signatureAlgorithm.name}, which the Notary certificate requirements do not allow; ` +
        're-issue it with a SHA-256 or stronger signature',
    );
  }
  if (certificate.duplicateExtension !== undefined) {
    fail(`${subjectOf(certificate)} has the extension ${certificate.duplicateExtension} more than once (RFC 5280 forbids it)`);
  }
}

function checkCa(certificate: CertificateFacts, expectedPathLength: number, rules: ChainRules): void {
  const constraints = certificate.basicConstraints;
  if (!constraints || !constraints.ca || !constraints.critical) {
    fail(`${subjectOf(certificate)}: a CA certificate must have a critical basicConstraints extension with cA set to true`);
  }
  if (constraints.pathLength !== undefined && constraints.pathLength < expectedPathLength) {
    fail(
      `${subjectOf(certificate)}: its path length constraint is ${constraints.pathLength} but ${expectedPathLength} CA certificate(s) follow it in the chain`,
    );
  }
  checkKeyUsagePresent(certificate, rules);
  if (((certificate.keyUsage?.flags ?? 0) & KEY_USAGE.keyCertSign) === 0) {
    fail(`${subjectOf(certificate)}: a CA certificate's key usage must include keyCertSign`);
  }
}

function checkLeaf(certificate: CertificateFacts, rules: ChainRules): void {
  if (certificate.basicConstraints?.ca) {
    fail(`${rules.leafLabel} "${certificate.subject}" is a CA certificate (basicConstraints cA=true); the leaf must not be a CA`);
  }
  checkKeyUsagePresent(certificate, rules);
  const flags = certificate.keyUsage?.flags ?? 0;
  if ((flags & KEY_USAGE.digitalSignature) === 0) {
    fail(`${rules.leafLabel} "${certificate.subject}": key usage must include digitalSignature`);
  }
  const forbidden = LEAF_FORBIDDEN_KEY_USAGES.filter((usage) => (flags & KEY_USAGE[usage]) !== 0);
  if (forbidden.length > 0) {
    fail(`${rules.leafLabel} "${certificate.subject}": key usage must be digitalSignature only, but it also has ${forbidden.join(', ')}`);
  }
  const ekuProblem = rules.leafExtendedKeyUsageProblem(certificate);
  if (ekuProblem) fail(`${rules.leafLabel} "${certificate.subject}": ${ekuProblem}`);
  const keyProblem = leafKeyProblem(certificate);
  if (keyProblem) fail(`${rules.leafLabel} "${certificate.subject}": ${keyProblem}`);
}

function checkKeyUsagePresent(certificate: CertificateFacts, rules: ChainRules): void {
  if (!certificate.keyUsage) fail(`${subjectOf(certificate)}: the key usage extension must be present`);
  if (rules.keyUsageMustBeCritical && !certificate.keyUsage.critical) {
    fail(`${subjectOf(certificate)}: the key usage extension must be marked critical`);
  }
}

/** The spec's algorithm selection table: RSA 2048/3072/4096, EC P-256/P-384/P-521. */
function leafKeyProblem(certificate: CertificateFacts): string | undefined {
  const key = certificate.publicKey;
  if (key.type === 'rsa') {
    return key.bits !== undefined && ALLOWED_RSA_KEY_BITS.includes(key.bits)
      ? undefined
      : `RSA key size ${key.bits ?? 'unknown'} bits is not supported (use 2048, 3072 or 4096)`;
  }
  if (key.type === 'ec') {
    return key.bits !== undefined ? undefined : `EC curve ${key.curve ?? 'unknown'} is not supported (use P-256, P-384 or P-521)`;
  }
  return `public key type ${key.type} is not supported (use RSA or ECDSA)`;
}

function subjectOf(certificate: CertificateFacts): string {
  return `certificate "${certificate.subject}"`;
}

function fail(message: string): never {
  throw new NotaryError('INVALID_CERTIFICATE_CHAIN', `invalid certificate chain: ${message}`);
}
