// The facts of one certificate that certificate requirements look at (Notary's, cosign's), read once per distinct DER into its record.
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  SubjectKeyIdentifierExtension,
  type X509Certificate,
} from '../x509.js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../../common/index.js';
import { PkiError } from '../errors.js';
import { nodeCertificate, recordOf } from './cache.js';
import { publicKeyBoundsProblem } from './key-bounds.js';
import {
  ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS,
  ALLOWED_EC_CURVES,
  KEY_USAGE,
  PSS_ALLOWED_HASHES,
  RSASSA_PSS_OID,
  WEAK_CERTIFICATE_SIGNATURE_ALGORITHMS,
} from './constants.js';

export interface CertificateFacts {
  /** SHA-256 of the DER, lower-case hex (the certificate's fingerprint and its record's key). */
  sha256: string;
  /** Subject as an RFC 4514-like string, for messages. */
  subject: string;
  issuer: string;
  /** DER of the subject and issuer Names: chaining compares these bytes, as Go's x509 does. */
  rawSubject: Uint8Array;
  rawIssuer: Uint8Array;
  /** 1, 2 or 3. */
  version: number;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithm: { oid: string; name: string; allowed: boolean };
  basicConstraints?: { ca: boolean; pathLength?: number; critical: boolean };
  keyUsage?: { flags: number; critical: boolean };
  extendedKeyUsage?: { usages: string[]; critical: boolean };
  /** Subject and authority key identifiers (RFC 5280 4.2.1.2, 4.2.1.1), hex. */
  subjectKeyIdentifier?: string;
  authorityKeyIdentifier?: string;
  /** OID of an extension that appears twice (RFC 5280 forbids it). */
  duplicateExtension?: string;
  publicKey: { type: string; bits?: number; curve?: string };
  /** Why no signature may be checked with this certificate's key (an RSA key beyond the bounds). */
  keyProblem?: string;
  /** OpenSSL's view, used to verify signatures. */
  node: NodeX509Certificate;
}

/**
 * The facts of `certificate`, read once per distinct DER (kept in its certificate record, so a signer
 * chain's facts are read once, not once per image); throws INVALID_CERTIFICATE_CHAIN when its
 * extensions cannot be read.
 */
export function certificateFacts(certificate: X509Certificate): CertificateFacts {
  const record = recordOf(certificate);
  record.facts ??= readFacts(certificate, record.sha256);
  return record.facts;
}

function readFacts(certificate: X509Certificate, sha256: string): CertificateFacts {
  const subject = safeName(() => certificate.subject);
  try {
    const der = new Uint8Array(certificate.rawData);
    const asn = pkijs.Certificate.fromBER(der);
    const node = nodeCertificate(der);
    const seen = new Set<string>();
    let duplicateExtension: string | undefined;
    for (const extension of certificate.extensions) {
      if (seen.has(extension.type)) duplicateExtension ??= extension.type;
      seen.add(extension.type);
    }
    const basicConstraints = certificate.getExtension(BasicConstraintsExtension);
    const keyUsage = certificate.getExtension(KeyUsagesExtension);
    const extendedKeyUsage = certificate.getExtension(ExtendedKeyUsageExtension);
    const subjectKeyIdentifier = certificate.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    const authorityKeyIdentifier = certificate.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
    return {
      sha256,
      subject,
      issuer: safeName(() => certificate.issuer),
      rawSubject: new Uint8Array(asn.subject.valueBeforeDecode),
      rawIssuer: new Uint8Array(asn.issuer.valueBeforeDecode),
      version: asn.version + 1,
      notBefore: certificate.notBefore,
      notAfter: certificate.notAfter,
      signatureAlgorithm: signatureAlgorithmOf(asn),
      ...(basicConstraints && {
        basicConstraints: {
          ca: basicConstraints.ca,
          ...(basicConstraints.pathLength !== undefined && { pathLength: basicConstraints.pathLength }),
          critical: basicConstraints.critical,
        },
      }),
      ...(keyUsage && { keyUsage: { flags: keyUsage.usages, critical: keyUsage.critical } }),
      ...(extendedKeyUsage && {
        extendedKeyUsage: { usages: extendedKeyUsage.usages.map(String), critical: extendedKeyUsage.critical },
      }),
      ...(subjectKeyIdentifier !== undefined && { subjectKeyIdentifier }),
      ...(authorityKeyIdentifier !== undefined && { authorityKeyIdentifier }),
      ...(duplicateExtension !== undefined && { duplicateExtension }),
      publicKey: publicKeyOf(node),
      ...keyProblemOf(node),
      node,
    };
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError('INVALID_CERTIFICATE_CHAIN', `certificate with subject "${subject}" cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function safeName(read: () => string): string {
  try {
    return read();
  } catch {
    return '<unreadable name>';
  }
}

function signatureAlgorithmOf(asn: pkijs.Certificate): CertificateFacts['signatureAlgorithm'] {
  const oid = asn.signatureAlgorithm.algorithmId;
  const known = ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS.get(oid);
  if (known) return { oid, name: known, allowed: true };
  if (oid === RSASSA_PSS_OID) {
    // Absent PSS parameters mean SHA-1 (RFC 4055), which the spec forbids.
    const params = asn.signatureAlgorithm.algorithmParams
      ? new pkijs.RSASSAPSSParams({ schema: asn.signatureAlgorithm.algorithmParams })
      : new pkijs.RSASSAPSSParams();
    const hash = PSS_ALLOWED_HASHES.get(params.hashAlgorithm.algorithmId);
    return hash ? { oid, name: `RSASSA-PSS with ${hash}`, allowed: true } : { oid, name: 'RSASSA-PSS with SHA-1', allowed: false };
  }
  return { oid, name: WEAK_CERTIFICATE_SIGNATURE_ALGORITHMS.get(oid) ?? oid, allowed: false };
}

function keyProblemOf(node: NodeX509Certificate): { keyProblem?: string } {
  const keyProblem = publicKeyBoundsProblem(node.publicKey);
  return keyProblem === undefined ? {} : { keyProblem };
}

function publicKeyOf(node: NodeX509Certificate): CertificateFacts['publicKey'] {
  const key = node.publicKey;
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return { type: 'rsa', ...(details.modulusLength !== undefined && { bits: details.modulusLength }) };
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    const bits = ALLOWED_EC_CURVES.get(curve);
    return { type: 'ec', curve, ...(bits !== undefined && { bits }) };
  }
  return { type };
}

/** Whether `issuer` may sign certificates, as Go's CheckSignatureFrom decides it (notation's rule). */
function canIssueCertificates(issuer: CertificateFacts): boolean {
  if (issuer.basicConstraints ? !issuer.basicConstraints.ca : issuer.version === 3) return false;
  if (issuer.keyUsage && (issuer.keyUsage.flags & KEY_USAGE.keyCertSign) === 0) return false;
  return true;
}

/**
 * Outcomes of signature checks by pair of certificates. Whether one certificate's signature verifies
 * with another's key follows from the two DERs alone, and a signer chain is checked with every image.
 */
const signatureChecks = new WeakMap<CertificateFacts, WeakMap<CertificateFacts, boolean>>();

/** Whether `child`'s signature verifies with `issuer`'s public key (algorithm allow-list applied). */
export function signatureVerifiesWith(child: CertificateFacts, issuer: CertificateFacts): boolean {
  if (!child.signatureAlgorithm.allowed || issuer.keyProblem !== undefined) return false;
  let checked = signatureChecks.get(child);
  if (!checked) {
    checked = new WeakMap();
    signatureChecks.set(child, checked);
  }
  let verifies = checked.get(issuer);
  if (verifies === undefined) {
    try {
      verifies = child.node.verify(issuer.node.publicKey);
    } catch {
      verifies = false;
    }
    checked.set(issuer, verifies);
  }
  return verifies;
}

/** Why `child` is not issued by `issuer`, or undefined when it is: issuer may sign, signature verifies, names chain. */
export function issuanceProblem(child: CertificateFacts, issuer: CertificateFacts): string | undefined {
  if (!canIssueCertificates(issuer)) return `"${issuer.subject}" is not a CA allowed to sign certificates`;
  if (!signatureVerifiesWith(child, issuer)) return `its signature does not verify with the public key of "${issuer.subject}"`;
  if (!bytesEqual(issuer.rawSubject, child.rawIssuer)) return `its issuer name differs from the subject name of "${issuer.subject}"`;
  return undefined;
}

/** True when the certificate is self-issued and signed by its own key, and allowed to sign certificates. */
export function isSelfSignedCa(facts: CertificateFacts): boolean {
  return issuanceProblem(facts, facts) === undefined;
}
