// The parts of a certificate revocation checks compare: raw names, serial, public key bits, extensions.
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { X509Certificate } from '@peculiar/x509';

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

export function normaliseSerial(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start)).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

function fields(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence ? node.valueBlock.value : [];
}

export function describeCertificate(certificate: X509Certificate): CertificateInfo {
  const der = new Uint8Array(certificate.rawData);
  const parsed = asn1js.fromBER(der);
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
    node: new NodeX509Certificate(Buffer.from(der)),
    subjectDer: subject.valueBeforeDecodeView,
    issuerDer: issuer.valueBeforeDecodeView,
    serial: normaliseSerial(serial.valueBlock.valueHexView),
    publicKeyBits: keyBits.valueBlock.valueHexView,
    subject: certificate.subject,
  };
}

/** True when `issuer` names and signed `subject`. */
export function isIssuedBy(subject: CertificateInfo, issuer: CertificateInfo): boolean {
  return bytesEqual(subject.issuerDer, issuer.subjectDer) && subject.node.verify(issuer.node.publicKey);
}

export function isValidAt(info: CertificateInfo, at: Date): boolean {
  return at.getTime() >= new Date(info.node.validFrom).getTime() && at.getTime() <= new Date(info.node.validTo).getTime();
}
