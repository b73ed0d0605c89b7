// Trust in a TSA: its certificate's timeStamping EKU, a chain from it through the token's certificates to a trusted TSA certificate, validity.
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { X509Certificate } from '../x509.js';
import { PkiError } from '../errors.js';
import { bytesEqual } from '../../common/index.js';
import { MAX_TSA_CHAIN_LENGTH, OID_ATTR_SIGNING_TIME, OID_EXT_KEY_USAGE, OID_KP_TIME_STAMPING } from './constants.js';
import { invalidTimestamp, toTokenCertificate, type TokenCertificate } from './parse.js';
import { attributeValues } from './signature.js';

/** RFC 3161 2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, and the extension is critical. */
export function checkTimestampingEku(cert: X509Certificate): void {
  const extension = cert.extensions.find((e) => e.type === OID_EXT_KEY_USAGE);
  if (!extension) throw invalidTimestamp('the TSA signing certificate has no extended key usage; it must have only id-kp-timeStamping');
  const usages = new NodeX509Certificate(Buffer.from(cert.rawData)).keyUsage ?? [];
  if (usages.length !== 1 || usages[0] !== OID_KP_TIME_STAMPING) {
    throw invalidTimestamp('the TSA signing certificate must have id-kp-timeStamping as its only extended key usage');
  }
  if (!extension.critical) throw invalidTimestamp('the extended key usage extension of the TSA signing certificate must be critical');
}

export function parseTime(node: asn1js.AsnType | undefined): Date | undefined {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate();
  return undefined;
}

export function isValidAt(cert: NodeX509Certificate, at: Date): boolean {
  return at.getTime() >= new Date(cert.validFrom).getTime() && at.getTime() <= new Date(cert.validTo).getTime();
}

/**
 * Build the chain from the TSA signing certificate through the token's certificates to one of the anchors.
 * Every key here passed publicKeyBoundsProblem when toTokenCertificate read its certificate.
 */
export function buildTsaChain(leaf: TokenCertificate, pool: TokenCertificate[], anchors: TokenCertificate[]): TokenCertificate[] | undefined {
  const chain: TokenCertificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_TSA_CHAIN_LENGTH; depth++) {
    if (anchors.some((a) => bytesEqual(a.der, current.der))) return chain;
    const anchor = anchors.find((a) => bytesEqual(a.subjectDer, current.issuerDer) && current.node.verify(a.node.publicKey));
    if (anchor) return [...chain, anchor];
    const next = pool.find(
      (c) =>
        !chain.includes(c) && bytesEqual(c.subjectDer, current.issuerDer) && c.node.ca && current.node.verify(c.node.publicKey),
    );
    if (!next) return undefined;
    chain.push(next);
    current = next;
  }
  return undefined;
}

/**
 * The TSA chain, signing certificate first, trusted certificate last: the signer's EKU, a chain to
 * one of `tsaRoots`, every certificate valid at `validAt` and at the signed signing-time if any.
 * Throws UNTRUSTED_TIMESTAMP when there is no chain (`untrustedHint` says what to do about it), else
 * INVALID_TIMESTAMP.
 */
export function trustedTsaChain(
  signer: TokenCertificate,
  certificates: TokenCertificate[],
  tsaRoots: readonly X509Certificate[],
  signerInfo: pkijs.SignerInfo,
  validAt: Date,
  untrustedHint: string | undefined,
): TokenCertificate[] {
  const signerCertificate = new X509Certificate(signer.der);
  checkTimestampingEku(signerCertificate);
  const anchors = tsaRoots.map((root) => toTokenCertificate(new Uint8Array(root.rawData)));
  const chain = buildTsaChain(signer, certificates, anchors);
  if (!chain) throw untrustedTimestamp(untrustedHint, `the TSA certificate "${signer.node.subject.replace(/\n/g, ', ')}" does not chain to a trusted TSA root`);
  for (const cert of chain) {
    if (!isValidAt(cert.node, validAt)) {
      throw invalidTimestamp(
        `TSA certificate "${cert.node.subject.replace(/\n/g, ', ')}" (valid ${cert.node.validFrom} to ${cert.node.validTo}) was not valid at ${validAt.toISOString()}`,
      );
    }
  }
  const signingTimeValues = attributeValues(signerInfo, OID_ATTR_SIGNING_TIME, 'signing-time');
  if (signingTimeValues) {
    const signingTime = parseTime(signingTimeValues[0]);
    if (!signingTime) throw invalidTimestamp('the signing-time signed attribute is malformed');
    if (!chain.every((cert) => isValidAt(cert.node, signingTime))) {
      throw invalidTimestamp(`the signing time ${signingTime.toISOString()} is outside the TSA certificate chain's validity period`);
    }
  }
  return chain;
}

function untrustedTimestamp(hint: string | undefined, message: string): PkiError {
  return new PkiError('UNTRUSTED_TIMESTAMP', `untrusted timestamp: ${message}${hint === undefined ? '' : `; ${hint}`}`);
}
