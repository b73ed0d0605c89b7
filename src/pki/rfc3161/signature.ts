// The CMS signature of an RFC 3161 token (RFC 5652, RFC 5035): its one SignerInfo, signed attributes, the signing certificate they pin, the TSA's signature.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { bytesEqual } from '../../common/index.js';
import { digest, hashAlgorithmFromOid, SignatureCheckError, verifySignatureValue, type HashAlgorithmName } from '../algorithm.js';
import { OID_ATTR_CONTENT_TYPE, OID_ATTR_MESSAGE_DIGEST, OID_ATTR_SIGNING_CERTIFICATE, OID_ATTR_SIGNING_CERTIFICATE_V2, OID_CT_TSTINFO } from './constants.js';
import { children, invalidTimestamp, normaliseSerial, type ParsedToken, type TokenCertificate } from './parse.js';

export function attributeValues(signerInfo: pkijs.SignerInfo, oid: string, name: string): asn1js.AsnType[] | undefined {
  const matches = signerInfo.signedAttrs?.attributes.filter((a) => a.type === oid) ?? [];
  if (matches.length === 0) return undefined;
  const [attribute] = matches;
  if (matches.length > 1 || !attribute || attribute.values.length !== 1) {
    throw invalidTimestamp(`the ${name} signed attribute must appear once with one value`);
  }
  return attribute.values;
}

interface EssCertIdV2 {
  hashAlgorithm: HashAlgorithmName;
  certHash: Uint8Array;
  issuerSerial?: { issuerDer: Uint8Array; serial: string };
}

/** Parse the first ESSCertIDv2 of a SigningCertificateV2 attribute value (RFC 5035). */
function parseSigningCertificateV2(value: asn1js.AsnType): EssCertIdV2 {
  const certs = children(value)[0];
  if (!(value instanceof asn1js.Sequence) || !(certs instanceof asn1js.Sequence)) {
    throw invalidTimestamp('the signing-certificate-v2 attribute is malformed');
  }
  const first = certs.valueBlock.value[0];
  if (!first) throw invalidTimestamp('the signing-certificate-v2 attribute does not contain any certificate');
  const fields = children(first);
  let index = 0;
  let hashAlgorithm: HashAlgorithmName = 'SHA-256'; // the ASN.1 DEFAULT (RFC 5035)
  const maybeAlgorithm = fields[index];
  if (maybeAlgorithm instanceof asn1js.Sequence) {
    const oid = maybeAlgorithm.valueBlock.value[0];
    const name = oid instanceof asn1js.ObjectIdentifier ? hashAlgorithmFromOid(oid.valueBlock.toString()) : undefined;
    if (!name) {
      throw invalidTimestamp('unsupported certificate hash algorithm in the signing-certificate-v2 attribute (SHA-1 is not accepted)');
    }
    hashAlgorithm = name;
    index++;
  }
  const certHash = fields[index++];
  if (!(certHash instanceof asn1js.OctetString)) throw invalidTimestamp('the signing-certificate-v2 attribute has no certificate hash');
  const issuerSerialNode = fields[index];
  let issuerSerial: EssCertIdV2['issuerSerial'];
  if (issuerSerialNode) {
    const [generalNames, serial] = children(issuerSerialNode);
    // GeneralNames: the issuer must be a directoryName ([4] EXPLICIT Name), as tspclient-go requires.
    const directoryName = generalNames
      ? children(generalNames).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 4)
      : undefined;
    const name = directoryName ? children(directoryName)[0] : undefined;
    if (!name) throw invalidTimestamp('issuer name is missing in the IssuerSerial of the signing-certificate-v2 attribute');
    if (!(serial instanceof asn1js.Integer)) throw invalidTimestamp('the IssuerSerial of the signing-certificate-v2 attribute has no serial number');
    issuerSerial = { issuerDer: name.valueBeforeDecodeView, serial: normaliseSerial(serial.valueBlock.valueHexView) };
  }
  return { hashAlgorithm, certHash: new Uint8Array(certHash.valueBlock.valueHexView), issuerSerial };
}

function findCertificate(certificates: TokenCertificate[], issuerDer: Uint8Array, serial: string): TokenCertificate | undefined {
  return certificates.find((c) => c.serial === serial && bytesEqual(c.issuerDer, issuerDer));
}

/** The certificate the SignerInfo's sid names (version 1 SignerInfo: issuerAndSerialNumber only). */
function signerIdentifier(signerInfo: pkijs.SignerInfo): { issuerDer: Uint8Array; serial: string } {
  if (signerInfo.version !== 1) {
    throw invalidTimestamp(`signer info version ${signerInfo.version} is not supported: only version 1 (issuerAndSerialNumber) is`);
  }
  const sid: unknown = signerInfo.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) throw invalidTimestamp('the signer is not identified by issuer and serial number');
  return {
    issuerDer: new Uint8Array(sid.issuer.valueBeforeDecode),
    serial: normaliseSerial(sid.serialNumber.valueBlock.valueHexView),
  };
}

/**
 * The token's one SignerInfo and the certificate it names, once the signed attributes are checked
 * (content type, message digest of the TSTInfo, signing-certificate-v2 pinning the certificate) and
 * the TSA's signature over them verifies. Throws INVALID_TIMESTAMP naming the defect.
 */
export function verifyTokenSignature(parsed: ParsedToken): { signerInfo: pkijs.SignerInfo; signer: TokenCertificate } {
  const { signedData, content, certificates } = parsed;
  // RFC 3161 2.4.1: the token MUST NOT contain any signatures other than the TSA's.
  if (signedData.signerInfos.length === 0) throw invalidTimestamp('the token has no signer info');
  if (signedData.signerInfos.length > 1) {
    throw invalidTimestamp(`the token has ${signedData.signerInfos.length} signer infos; RFC 3161 allows only the TSA's signature`);
  }
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const sid = signerIdentifier(signerInfo);

  // Signed attributes (RFC 5652 5.3): required because the content type is not id-data.
  if (!signerInfo.signedAttrs || signerInfo.signedAttrs.attributes.length === 0) {
    throw invalidTimestamp('the signer info has no signed attributes');
  }
  const contentType = attributeValues(signerInfo, OID_ATTR_CONTENT_TYPE, 'content-type')?.[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier)) throw invalidTimestamp('the content-type signed attribute is missing or malformed');
  if (contentType.valueBlock.toString() !== OID_CT_TSTINFO) {
    throw invalidTimestamp(`the content-type signed attribute is ${contentType.valueBlock.toString()}, not id-ct-TSTInfo`);
  }
  const messageDigest = attributeValues(signerInfo, OID_ATTR_MESSAGE_DIGEST, 'message-digest')?.[0];
  if (!(messageDigest instanceof asn1js.OctetString)) throw invalidTimestamp('the message-digest signed attribute is missing or malformed');
  const digestAlgorithm = hashAlgorithmFromOid(signerInfo.digestAlgorithm.algorithmId);
  if (!digestAlgorithm) {
    throw invalidTimestamp(`unsupported or weak digest algorithm ${signerInfo.digestAlgorithm.algorithmId} (SHA-1 is not accepted)`);
  }
  if (!bytesEqual(digest(digestAlgorithm, content), messageDigest.valueBlock.valueHexView)) {
    throw invalidTimestamp('the message-digest signed attribute does not match the TSTInfo: the token was altered');
  }

  // Signing certificate: identified and pinned by signing-certificate-v2 (spec: when missing, fail).
  const signingCertificateV2 = attributeValues(signerInfo, OID_ATTR_SIGNING_CERTIFICATE_V2, 'signing-certificate-v2')?.[0];
  if (!signingCertificateV2) {
    const hasV1 = attributeValues(signerInfo, OID_ATTR_SIGNING_CERTIFICATE, 'signing-certificate') !== undefined;
    throw invalidTimestamp(
      hasV1
        ? 'the signing-certificate-v2 signed attribute is missing (a SHA-1 signing-certificate attribute alone is not accepted)'
        : 'the signing-certificate-v2 signed attribute is missing',
    );
  }
  const essCertId = parseSigningCertificateV2(signingCertificateV2);
  const reference = essCertId.issuerSerial ?? sid;
  const signer = findCertificate(certificates, reference.issuerDer, reference.serial);
  if (!signer) throw invalidTimestamp('the signing certificate is not found in the timestamp token');
  if (!bytesEqual(digest(essCertId.hashAlgorithm, signer.der), essCertId.certHash)) {
    throw invalidTimestamp('the signing certificate hash does not match the certificate hash in the signing-certificate-v2 attribute');
  }
  if (essCertId.issuerSerial && !findCertificate([signer], sid.issuerDer, sid.serial)) {
    throw invalidTimestamp('the signer identifier does not name the certificate of the signing-certificate-v2 attribute');
  }

  // The TSA's signature over the DER SET OF signed attributes (RFC 5652 5.4).
  const signedAttributesDer = new Uint8Array(signerInfo.signedAttrs.encodedValue);
  signedAttributesDer[0] = 0x31;
  let verified: boolean;
  try {
    verified = verifySignatureValue(
      signer.node.publicKey,
      { algorithm: signerInfo.signatureAlgorithm.algorithmId, parameters: signerInfo.signatureAlgorithm.algorithmParams as asn1js.AsnType | undefined },
      signedAttributesDer,
      new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
      signerInfo.digestAlgorithm.algorithmId,
    );
  } catch (err) {
    if (err instanceof SignatureCheckError) throw invalidTimestamp(err.message, err);
    throw err;
  }
  if (!verified) throw invalidTimestamp('the TSA signature does not verify: the token was altered or signed by another key');
  return { signerInfo, signer };
}
