// OCSP (RFC 6960): build a request for one certificate, and judge a response for it (pure; no I/O).
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeBer } from '../asn1.js';
import { bytesEqual } from '../../common/index.js';
import { digest, hashAlgorithmFromOid, SignatureCheckError, verifySignatureValue } from '../algorithm.js';
import { X509Certificate } from '../x509.js';
import { normaliseSerial } from '../certificate/serial.js';
import { describeCertificate, isIssuedBy, isValidAt, type CertificateInfo } from './certificate.js';
import { FRESHNESS_SKEW_MS, OID_INVALIDITY_DATE, OID_KP_OCSP_SIGNING, OID_OCSP_BASIC } from './constants.js';
import type { RevocationEvaluation } from './evaluation.js';

const OID_SHA1 = '1.3.14.3.2.26';

/** OCSPResponseStatus names (RFC 6960 4.2.1). */
const RESPONSE_STATUS: Readonly<Record<number, string>> = {
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

/**
 * DER OCSPRequest for `cert`. The CertID uses SHA-1 as an identifier, as notation-core-go does, because many
 * public responders answer nothing else; it carries no security weight (the response signature does).
 */
export function buildOcspRequest(cert: CertificateInfo, issuer: CertificateInfo): Uint8Array {
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA1, algorithmParams: new asn1js.Null() }),
    issuerNameHash: new asn1js.OctetString({ valueHex: digest('SHA-1', issuer.subjectDer) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: digest('SHA-1', issuer.publicKeyBits) }),
    serialNumber: new asn1js.Integer({ valueHex: Buffer.from(cert.serial.length % 2 ? `0${cert.serial}` : cert.serial, 'hex') }),
  });
  const request = new pkijs.OCSPRequest({
    tbsRequest: new pkijs.TBSRequest({ requestList: [new pkijs.Request({ reqCert: certId })] }),
  });
  return new Uint8Array(request.toSchema(true).toBER(false));
}

function hashFor(oid: string): 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512' | undefined {
  return oid === OID_SHA1 ? 'SHA-1' : hashAlgorithmFromOid(oid);
}

function matchesCertId(certId: pkijs.CertID, cert: CertificateInfo, issuer: CertificateInfo): boolean {
  const hash = hashFor(certId.hashAlgorithm.algorithmId);
  if (!hash) return false;
  return (
    normaliseSerial(certId.serialNumber.valueBlock.valueHexView) === cert.serial &&
    bytesEqual(certId.issuerNameHash.valueBlock.valueHexView, digest(hash, issuer.subjectDer)) &&
    bytesEqual(certId.issuerKeyHash.valueBlock.valueHexView, digest(hash, issuer.publicKeyBits))
  );
}

function children(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence ? node.valueBlock.value : [];
}

/** The decoded node, or undefined when asn1js rejects or throws on the bytes (it throws on a GeneralizedTime that is no time). */
function decode(bytes: Uint8Array): asn1js.AsnType | undefined {
  const decoded = decodeBer(bytes);
  return decoded.ok && decoded.offset !== -1 ? decoded.result : undefined;
}

/** ResponderID of the raw ResponseData: byName [1] Name or byKey [2] SHA-1 of the responder's key bits. */
function responderId(tbs: Uint8Array): { byName?: Uint8Array; byKey?: Uint8Array } {
  const fields = children(decode(tbs));
  const first = fields[0];
  const id = first?.idBlock.tagClass === 3 && first.idBlock.tagNumber === 0 ? fields[1] : first;
  const inner = children(id)[0];
  if (id?.idBlock.tagNumber === 1 && inner) return { byName: inner.valueBeforeDecodeView };
  if (id?.idBlock.tagNumber === 2 && inner instanceof asn1js.OctetString) return { byKey: inner.valueBlock.valueHexView };
  return {};
}

/** DER certificates carried in a BasicOCSPResponse ([0] EXPLICIT SEQUENCE OF Certificate). */
function responseCertificates(basic: Uint8Array): CertificateInfo[] {
  const fields = children(decode(basic));
  const certs = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0);
  return children(children(certs)[0]).map((node) => describeCertificate(new X509Certificate(new Uint8Array(node.valueBeforeDecodeView))));
}

function unknown(error: string): RevocationEvaluation {
  return { status: 'unknown', error };
}

function invalidityDate(single: pkijs.SingleResponse): Date | undefined {
  const extension = single.singleExtensions?.find((e) => e.extnID === OID_INVALIDITY_DATE);
  if (!extension) return undefined;
  const parsed = decode(extension.extnValue.valueBlock.valueHexView);
  return parsed instanceof asn1js.GeneralizedTime ? parsed.toDate() : undefined;
}

export interface OcspContext {
  cert: CertificateInfo;
  issuer: CertificateInfo;
  now: Date;
  authenticSigningTime?: Date;
}

/**
 * Judge a DER OCSPResponse for `cert` (trust-store-trust-policy.md, Revocation Checking with OCSP): the response is
 * signed by the issuer or by a responder certificate the issuer issued for OCSPSigning; it names this certificate;
 * it is fresh (thisUpdate/nextUpdate with a small skew). A revoked status with an invalidity date after the
 * authentic signing time still counts as good for that signature, as notation-core-go does.
 */
export function evaluateOcspResponse(der: Uint8Array, context: OcspContext): RevocationEvaluation {
  const { cert, issuer, now } = context;
  let response: pkijs.OCSPResponse;
  let basic: pkijs.BasicOCSPResponse;
  let basicDer: Uint8Array;
  try {
    response = pkijs.OCSPResponse.fromBER(der);
  } catch {
    return unknown('the OCSP response is malformed');
  }
  const status = response.responseStatus.valueBlock.valueDec;
  if (status !== 0) return unknown(`the OCSP responder answered ${RESPONSE_STATUS[status] ?? `status ${status}`}`);
  if (!response.responseBytes || response.responseBytes.responseType !== OID_OCSP_BASIC) {
    return unknown('the OCSP response is not a basic OCSP response');
  }
  try {
    basicDer = new Uint8Array(response.responseBytes.response.valueBlock.valueHexView);
    basic = pkijs.BasicOCSPResponse.fromBER(basicDer);
  } catch {
    return unknown('the basic OCSP response is malformed');
  }

  const single = basic.tbsResponseData.responses.find((r) => matchesCertId(r.certID, cert, issuer));
  if (!single) return unknown('the OCSP response does not cover this certificate (CertID mismatch)');

  // Who signed: the issuing CA, or a delegated responder the CA issued with id-kp-OCSPSigning.
  const tbs = basic.tbsResponseData.tbsView;
  const id = responderId(tbs);
  let carried: CertificateInfo[];
  try {
    carried = responseCertificates(basicDer);
  } catch {
    return unknown('a certificate in the OCSP response is malformed');
  }
  const matchesId = (c: CertificateInfo) =>
    (id.byName !== undefined && bytesEqual(c.subjectDer, id.byName)) ||
    (id.byKey !== undefined && bytesEqual(digest('SHA-1', c.publicKeyBits), id.byKey));
  const signer = [issuer, ...carried].find(matchesId);
  if (!signer) return unknown('the OCSP responder is neither the issuing CA nor a certificate carried in the response');
  if (!bytesEqual(signer.der, issuer.der)) {
    if (!isIssuedBy(signer, issuer)) return unknown('the OCSP responder certificate was not issued by the certificate issuer');
    if (!(signer.node.keyUsage ?? []).includes(OID_KP_OCSP_SIGNING)) {
      return unknown('the OCSP responder certificate lacks the OCSPSigning extended key usage');
    }
    if (!isValidAt(signer, now)) return unknown('the OCSP responder certificate is expired or not yet valid');
  }
  let signatureValid: boolean;
  try {
    signatureValid = verifySignatureValue(
      signer.node.publicKey,
      { algorithm: basic.signatureAlgorithm.algorithmId, parameters: basic.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined },
      tbs,
      basic.signature.valueBlock.valueHexView,
    );
  } catch (err) {
    return unknown(`the OCSP response signature cannot be checked: ${err instanceof SignatureCheckError ? err.message : String(err)}`);
  }
  if (!signatureValid) return unknown('the OCSP response signature does not verify (bad responder signature)');

  if (single.thisUpdate.getTime() > now.getTime() + FRESHNESS_SKEW_MS) {
    return unknown(`the OCSP response is not yet valid (thisUpdate ${single.thisUpdate.toISOString()})`);
  }
  if (single.nextUpdate && now.getTime() > single.nextUpdate.getTime() + FRESHNESS_SKEW_MS) {
    return unknown(`the OCSP response expired at ${single.nextUpdate.toISOString()} (nextUpdate)`);
  }
  const freshness = { thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate };

  const certStatus = single.certStatus as asn1js.AsnType;
  switch (certStatus.idBlock.tagNumber) {
    case 0:
      return { status: 'good', ...freshness };
    case 1: {
      const revokedInfo = children(certStatus);
      const time = revokedInfo[0];
      const revocationTime = time instanceof asn1js.GeneralizedTime ? time.toDate() : undefined;
      const reasonNode = children(revokedInfo[1])[0];
      const reason = reasonNode instanceof asn1js.Enumerated ? reasonNode.valueBlock.valueDec : undefined;
      const invalidity = invalidityDate(single);
      if (context.authenticSigningTime && invalidity && context.authenticSigningTime < invalidity) {
        return { status: 'good', ...freshness, revocationTime, reason, note: 'revoked with an invalidity date after the authentic signing time' };
      }
      return { status: 'revoked', ...freshness, revocationTime, reason };
    }
    default:
      return { status: 'unknown', ...freshness, error: 'the OCSP responder does not know the certificate (status unknown)' };
  }
}
