// The parts of a certificate revocation checks compare: raw names, serial, public key bits, extensions.
import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeBer } from '../asn1.js';
import { nodeCertificate, recordOf } from '../certificate/cache.js';
import { publicKeyBoundsProblem } from '../certificate/key-bounds.js';
import { normaliseSerial } from '../certificate/serial.js';
import { PkiError } from '../errors.js';
import { X509Certificate } from '../x509.js';
import { bytesEqual } from '../../common/index.js';

export interface CertificateInfo {
  certificate: X509Certificate;
  der: Uint8Array;
  node: NodeX509Certificate;
  subjectDer: Uint8Array;
  issuerDer: Uint8Array;
  /** Serial number, lower-case hex without leading zero octets. */
  serial: string;
  /** The subjectPublicKey BIT STRING contents (what OCSP's issuerKeyHash and byKey hash). */
  publicKeyBits: Uint8Array;
  /** RFC 4514-ish subject for messages. */
  subject: string;
}


function fields(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence ? node.valueBlock.value : [];
}

/**
 * Kept in the certificate's record, so a signer chain is described once rather than on every check.
 * Only what the bytes say is kept; every check still asks the responders.
 */
export function describeCertificate(certificate: X509Certificate): CertificateInfo {
  const record = recordOf(certificate);
  try {
    record.revocation ??= readCertificateInfo(certificate);
  } catch (err) {
    // asn1js throws on some malformed primitives and Node's parser is stricter than @peculiar/x509's.
    const reason = err instanceof Error ? err.message : String(err);
    throw new PkiError('INVALID_CERTIFICATE', `the certificate "${certificate.subject}" cannot be read for revocation checks: ${reason}`, { cause: err });
  }
  return record.revocation;
}

function readCertificateInfo(certificate: X509Certificate): CertificateInfo {
  const der = new Uint8Array(certificate.rawData);
  const parsed = decodeBer(der);
  if (!parsed.ok) throw new Error(parsed.message);
  const tbs = fields(parsed.result)[0];
  const tbsFields = fields(tbs);
  const offset = tbsFields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const serial = tbsFields[offset];
  const issuer = tbsFields[offset + 2];
  const subject = tbsFields[offset + 4];
  const spki = tbsFields[offset + 5];
  const keyBits = fields(spki)[1];
  if (parsed.offset === -1 || !(serial instanceof asn1js.Integer) || !issuer || !subject || !(keyBits instanceof asn1js.BitString)) {
    throw new Error('malformed certificate');
  }
  return {
    certificate,
    der,
    node: nodeCertificate(der),
    subjectDer: subject.valueBeforeDecodeView,
    issuerDer: issuer.valueBeforeDecodeView,
    serial: normaliseSerial(serial.valueBlock.valueHexView),
    publicKeyBits: keyBits.valueBlock.valueHexView,
    subject: certificate.subject,
  };
}

/** Signature checks by pair of certificates: the outcome follows from the two DERs alone. */
const signatureChecks = new WeakMap<CertificateInfo, WeakMap<CertificateInfo, boolean>>();

/** True when `issuer` names and signed `subject`. */
export function isIssuedBy(subject: CertificateInfo, issuer: CertificateInfo): boolean {
  if (!bytesEqual(subject.issuerDer, issuer.subjectDer)) return false;
  let checked = signatureChecks.get(subject);
  if (!checked) {
    checked = new WeakMap();
    signatureChecks.set(subject, checked);
  }
  let verifies = checked.get(issuer);
  if (verifies === undefined) {
    verifies = publicKeyBoundsProblem(issuer.node.publicKey) === undefined && subject.node.verify(issuer.node.publicKey);
    checked.set(issuer, verifies);
  }
  return verifies;
}

export function isValidAt(info: CertificateInfo, at: Date): boolean {
  return at.getTime() >= new Date(info.node.validFrom).getTime() && at.getTime() <= new Date(info.node.validTo).getTime();
}
