// Verification of RFC 3161 timestamp tokens (CMS SignedData over TSTInfo) against a signature and `tsa` trust anchors.
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { publicKeyBoundsProblem, X509Certificate } from '../../pki/index.js';
import { bytesEqual } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import {
  digest,
  hashAlgorithmFromOid,
  SignatureCheckError,
  verifySignatureValue,
  type HashAlgorithmName,
} from './algorithm.js';
import {
  MAX_TIMESTAMP_TOKEN_BYTES,
  MAX_TOKEN_CERTIFICATES,
  MAX_TSA_CHAIN_LENGTH,
  OID_ATTR_CONTENT_TYPE,
  OID_ATTR_MESSAGE_DIGEST,
  OID_ATTR_SIGNING_CERTIFICATE,
  OID_ATTR_SIGNING_CERTIFICATE_V2,
  OID_ATTR_SIGNING_TIME,
  OID_BASELINE_TIMESTAMP_POLICY,
  OID_CT_TSTINFO,
  OID_EXT_KEY_USAGE,
  OID_KP_TIME_STAMPING,
  OID_SIGNED_DATA,
} from './constants.js';

export interface VerifyTimestampOptions {
  /**
   * Time at which the TSA chain must be valid. Defaults to the token's genTime (RFC 3161: the TSA certificate must
   * have been valid when the token was issued).
   */
  atTime?: Date;
  signal?: AbortSignal;
}

export interface VerifiedTimestamp {
  /** TSTInfo.genTime. */
  genTime: Date;
  /** Accuracy applied to genTime, in milliseconds (explicit, 1 s for the baseline policy, else 0). */
  accuracyMs: number;
  /** genTime - accuracy: the timeStampLowerLimit of the trust policy spec. */
  earliest: Date;
  /** genTime + accuracy: the timeStampUpperLimit of the trust policy spec. */
  latest: Date;
  /** The TSA chain, signing certificate first, trust anchor last. */
  tsaChain: X509Certificate[];
  /** Hash algorithm of the message imprint. */
  hashAlgorithm: HashAlgorithmName;
}

/** What a parsed token holds, before any trust decision. */
interface ParsedToken {
  signedData: pkijs.SignedData;
  /** DER of the encapsulated TSTInfo. */
  content: Uint8Array;
  /** DER of each certificate the token carries, in order. */
  certificates: TokenCertificate[];
}

interface TokenCertificate {
  der: Uint8Array;
  node: NodeX509Certificate;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** Serial number, lower-case hex without leading zeros. */
  serial: string;
}

function invalid(message: string, cause?: unknown): NotaryError {
  return new NotaryError('INVALID_TIMESTAMP', `invalid timestamp: ${message}`, cause === undefined ? undefined : { cause });
}

function untrusted(message: string): NotaryError {
  return new NotaryError(
    'UNTRUSTED_TIMESTAMP',
    `untrusted timestamp: ${message}; add the TSA root certificate to a trust store of type tsa named in the trust policy`,
  );
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Serial number bytes as lower-case hex without leading zero octets, so DER sign padding does not matter. */
export function normaliseSerial(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return hex(bytes.subarray(start));
}

function parseDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch (err) {
    // asn1js throws, instead of reporting, on some malformed primitives (a GeneralizedTime that is no time).
    throw invalid(`${what} is not valid ASN.1: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (parsed.offset === -1) throw invalid(`${what} is not valid ASN.1: ${parsed.result.error}`);
  if (parsed.offset !== bytes.byteLength) throw invalid(`${what} has trailing data`);
  return parsed.result;
}

function children(node: asn1js.AsnType): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence || node instanceof asn1js.Set
    ? node.valueBlock.value
    : [];
}

/** Issuer and subject Name DER of a certificate, read from its TBSCertificate. */
function certificateNames(der: Uint8Array): { issuerDer: Uint8Array; subjectDer: Uint8Array; serialBytes: Uint8Array } {
  const cert = parseDer(der, 'certificate');
  const tbs = children(cert)[0];
  const fields = tbs ? children(tbs) : [];
  // version is an optional [0] EXPLICIT field before the serial number.
  const offset = fields[0]?.idBlock.tagClass === 3 ? 1 : 0;
  const serial = fields[offset];
  const issuer = fields[offset + 2];
  const subject = fields[offset + 4];
  if (!(serial instanceof asn1js.Integer) || !issuer || !subject) throw invalid('a certificate of the token is malformed');
  return {
    issuerDer: issuer.valueBeforeDecodeView,
    subjectDer: subject.valueBeforeDecodeView,
    serialBytes: serial.valueBlock.valueHexView,
  };
}

function toTokenCertificate(der: Uint8Array): TokenCertificate {
  let node: NodeX509Certificate;
  let publicKey: NodeX509Certificate['publicKey'];
  try {
    node = new NodeX509Certificate(Buffer.from(der));
    // Decoded lazily by Node: a key that is no valid point or integer throws here (found by test/reliability/fuzz).
    publicKey = node.publicKey;
  } catch (err) {
    throw invalid('a certificate of the token cannot be parsed', err);
  }
  // Before any signature is checked with it (the token's own certificates are the sender's choice).
  const keyProblem = publicKeyBoundsProblem(publicKey);
  if (keyProblem) throw invalid(`the certificate "${node.subject.replace(/\n/g, ', ')}" of the timestamp is refused: ${keyProblem}`);
  const names = certificateNames(der);
  return { der, node, issuerDer: names.issuerDer, subjectDer: names.subjectDer, serial: normaliseSerial(names.serialBytes) };
}

/** Parse ContentInfo → SignedData → TSTInfo content and the carried certificates; no trust decision. */
function parseToken(token: Uint8Array): ParsedToken {
  if (token.byteLength === 0) throw invalid('the timestamp token is empty');
  if (token.byteLength > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw invalid(`the token is ${token.byteLength} bytes, more than the ${MAX_TIMESTAMP_TOKEN_BYTES} allowed`);
  }
  const root = parseDer(token, 'the timestamp token');
  let contentInfo: pkijs.ContentInfo;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: root });
  } catch (err) {
    throw invalid('the token is not a CMS ContentInfo', err);
  }
  if (contentInfo.contentType !== OID_SIGNED_DATA) {
    throw invalid(`the token's content type is ${contentInfo.contentType}, not CMS SignedData`);
  }
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    throw invalid('the token does not hold a valid CMS SignedData', err);
  }
  const encap = signedData.encapContentInfo;
  if (encap.eContentType !== OID_CT_TSTINFO) {
    throw invalid(`unexpected content type ${encap.eContentType}: a timestamp token must encapsulate id-ct-TSTInfo`);
  }
  if (!encap.eContent) throw invalid('the token has no encapsulated TSTInfo');
  const content = octetStringValue(encap.eContent);

  // Take certificates from the raw tree so hashes are computed over the exact bytes the TSA sent.
  const signedDataNode = children(root)[1];
  const signedDataSequence = signedDataNode ? children(signedDataNode)[0] : undefined;
  const certificateSet = signedDataSequence
    ? children(signedDataSequence).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 0)
    : undefined;
  const certificateNodes = certificateSet ? children(certificateSet) : [];
  if (certificateNodes.length > MAX_TOKEN_CERTIFICATES) {
    throw invalid(`the token carries ${certificateNodes.length} certificates, more than the ${MAX_TOKEN_CERTIFICATES} allowed`);
  }
  const certificates = certificateNodes
    .filter((n) => n.idBlock.tagClass === 1 && n.idBlock.tagNumber === 16)
    .map((n) => toTokenCertificate(new Uint8Array(n.valueBeforeDecodeView)));
  return { signedData, content, certificates };
}

function octetStringValue(value: asn1js.OctetString): Uint8Array {
  // BER tokens may carry the TSTInfo as a constructed OCTET STRING: concatenate its segments.
  if (value.idBlock.isConstructed) {
    const parts = value.valueBlock.value.map((part) =>
      part instanceof asn1js.OctetString ? octetStringValue(part) : new Uint8Array(0),
    );
    return new Uint8Array(Buffer.concat(parts));
  }
  return new Uint8Array(value.valueBlock.valueHexView);
}

function attributeValues(signerInfo: pkijs.SignerInfo, oid: string, name: string): asn1js.AsnType[] | undefined {
  const matches = signerInfo.signedAttrs?.attributes.filter((a) => a.type === oid) ?? [];
  if (matches.length === 0) return undefined;
  const [attribute] = matches;
  if (matches.length > 1 || !attribute || attribute.values.length !== 1) {
    throw invalid(`the ${name} signed attribute must appear once with one value`);
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
    throw invalid('the signing-certificate-v2 attribute is malformed');
  }
  const first = certs.valueBlock.value[0];
  if (!first) throw invalid('the signing-certificate-v2 attribute does not contain any certificate');
  const fields = children(first);
  let index = 0;
  let hashAlgorithm: HashAlgorithmName = 'SHA-256'; // the ASN.1 DEFAULT (RFC 5035)
  const maybeAlgorithm = fields[index];
  if (maybeAlgorithm instanceof asn1js.Sequence) {
    const oid = maybeAlgorithm.valueBlock.value[0];
    const name = oid instanceof asn1js.ObjectIdentifier ? hashAlgorithmFromOid(oid.valueBlock.toString()) : undefined;
    if (!name) {
      throw invalid('unsupported certificate hash algorithm in the signing-certificate-v2 attribute (SHA-1 is not accepted)');
    }
    hashAlgorithm = name;
    index++;
  }
  const certHash = fields[index++];
  if (!(certHash instanceof asn1js.OctetString)) throw invalid('the signing-certificate-v2 attribute has no certificate hash');
  const issuerSerialNode = fields[index];
  let issuerSerial: EssCertIdV2['issuerSerial'];
  if (issuerSerialNode) {
    const [generalNames, serial] = children(issuerSerialNode);
    // GeneralNames: the issuer must be a directoryName ([4] EXPLICIT Name), as tspclient-go requires.
    const directoryName = generalNames
      ? children(generalNames).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 4)
      : undefined;
    const name = directoryName ? children(directoryName)[0] : undefined;
    if (!name) throw invalid('issuer name is missing in the IssuerSerial of the signing-certificate-v2 attribute');
    if (!(serial instanceof asn1js.Integer)) throw invalid('the IssuerSerial of the signing-certificate-v2 attribute has no serial number');
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
    throw invalid(`signer info version ${signerInfo.version} is not supported: only version 1 (issuerAndSerialNumber) is`);
  }
  const sid: unknown = signerInfo.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) throw invalid('the signer is not identified by issuer and serial number');
  return {
    issuerDer: new Uint8Array(sid.issuer.valueBeforeDecode),
    serial: normaliseSerial(sid.serialNumber.valueBlock.valueHexView),
  };
}

/** RFC 3161 2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, and the extension is critical. */
function checkTimestampingEku(cert: X509Certificate): void {
  const extension = cert.extensions.find((e) => e.type === OID_EXT_KEY_USAGE);
  if (!extension) throw invalid('the TSA signing certificate has no extended key usage; it must have only id-kp-timeStamping');
  const usages = new NodeX509Certificate(Buffer.from(cert.rawData)).keyUsage ?? [];
  if (usages.length !== 1 || usages[0] !== OID_KP_TIME_STAMPING) {
    throw invalid('the TSA signing certificate must have id-kp-timeStamping as its only extended key usage');
  }
  if (!extension.critical) throw invalid('the extended key usage extension of the TSA signing certificate must be critical');
}

function parseTime(node: asn1js.AsnType | undefined): Date | undefined {
  if (node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime) return node.toDate();
  return undefined;
}

function isValidAt(cert: NodeX509Certificate, at: Date): boolean {
  return at.getTime() >= new Date(cert.validFrom).getTime() && at.getTime() <= new Date(cert.validTo).getTime();
}

/**
 * Build the chain from the TSA signing certificate through the token's certificates to one of the anchors.
 * Every key here passed publicKeyBoundsProblem when toTokenCertificate read its certificate.
 */
function buildTsaChain(leaf: TokenCertificate, pool: TokenCertificate[], anchors: TokenCertificate[]): TokenCertificate[] | undefined {
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

function accuracyMs(tstInfo: pkijs.TSTInfo): number {
  const accuracy = tstInfo.accuracy;
  const explicit = accuracy ? (accuracy.seconds ?? 0) * 1000 + (accuracy.millis ?? 0) + (accuracy.micros ?? 0) / 1000 : 0;
  // Trust policy spec: no stated accuracy + baseline policy (RFC 3628) means 1 s; otherwise 0.
  if (explicit === 0 && tstInfo.policy === OID_BASELINE_TIMESTAMP_POLICY) return 1000;
  return explicit;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new NotaryError('VERIFICATION_TIMEOUT', 'timestamp verification was cancelled', { cause: signal.reason });
}

/**
 * Verify an RFC 3161 timestamp token as the countersignature of `signature` (trust-store-trust-policy.md, Validate
 * Authentic Timestamp). Throws NotaryError `UNTRUSTED_TIMESTAMP` when the TSA chains to none of `tsaRoots`, and
 * `INVALID_TIMESTAMP` naming the defect for anything else.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  signature: Uint8Array,
  tsaRoots: X509Certificate[],
  opts: VerifyTimestampOptions = {},
): Promise<VerifiedTimestamp> {
  checkAborted(opts.signal);
  const parsed = parseToken(token);
  const { signedData, content, certificates } = parsed;

  // RFC 3161 2.4.1: the token MUST NOT contain any signatures other than the TSA's.
  if (signedData.signerInfos.length === 0) throw invalid('the token has no signer info');
  if (signedData.signerInfos.length > 1) {
    throw invalid(`the token has ${signedData.signerInfos.length} signer infos; RFC 3161 allows only the TSA's signature`);
  }
  const signerInfo = signedData.signerInfos[0] as pkijs.SignerInfo;
  const sid = signerIdentifier(signerInfo);

  // Signed attributes (RFC 5652 5.3): required because the content type is not id-data.
  if (!signerInfo.signedAttrs || signerInfo.signedAttrs.attributes.length === 0) {
    throw invalid('the signer info has no signed attributes');
  }
  const contentType = attributeValues(signerInfo, OID_ATTR_CONTENT_TYPE, 'content-type')?.[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier)) throw invalid('the content-type signed attribute is missing or malformed');
  if (contentType.valueBlock.toString() !== OID_CT_TSTINFO) {
    throw invalid(`the content-type signed attribute is ${contentType.valueBlock.toString()}, not id-ct-TSTInfo`);
  }
  const messageDigest = attributeValues(signerInfo, OID_ATTR_MESSAGE_DIGEST, 'message-digest')?.[0];
  if (!(messageDigest instanceof asn1js.OctetString)) throw invalid('the message-digest signed attribute is missing or malformed');
  const digestAlgorithm = hashAlgorithmFromOid(signerInfo.digestAlgorithm.algorithmId);
  if (!digestAlgorithm) {
    throw invalid(`unsupported or weak digest algorithm ${signerInfo.digestAlgorithm.algorithmId} (SHA-1 is not accepted)`);
  }
  if (!bytesEqual(digest(digestAlgorithm, content), messageDigest.valueBlock.valueHexView)) {
    throw invalid('the message-digest signed attribute does not match the TSTInfo: the token was altered');
  }

  // Signing certificate: identified and pinned by signing-certificate-v2 (spec: when missing, fail).
  const signingCertificateV2 = attributeValues(signerInfo, OID_ATTR_SIGNING_CERTIFICATE_V2, 'signing-certificate-v2')?.[0];
  if (!signingCertificateV2) {
    const hasV1 = attributeValues(signerInfo, OID_ATTR_SIGNING_CERTIFICATE, 'signing-certificate') !== undefined;
    throw invalid(
      hasV1
        ? 'the signing-certificate-v2 signed attribute is missing (a SHA-1 signing-certificate attribute alone is not accepted)'
        : 'the signing-certificate-v2 signed attribute is missing',
    );
  }
  const essCertId = parseSigningCertificateV2(signingCertificateV2);
  const reference = essCertId.issuerSerial ?? sid;
  const signer = findCertificate(certificates, reference.issuerDer, reference.serial);
  if (!signer) throw invalid('the signing certificate is not found in the timestamp token');
  if (!bytesEqual(digest(essCertId.hashAlgorithm, signer.der), essCertId.certHash)) {
    throw invalid('the signing certificate hash does not match the certificate hash in the signing-certificate-v2 attribute');
  }
  if (essCertId.issuerSerial && !findCertificate([signer], sid.issuerDer, sid.serial)) {
    throw invalid('the signer identifier does not name the certificate of the signing-certificate-v2 attribute');
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
    if (err instanceof SignatureCheckError) throw invalid(err.message, err);
    throw err;
  }
  if (!verified) throw invalid('the TSA signature does not verify: the token was altered or signed by another key');

  // TSTInfo (RFC 3161 2.4.2).
  let tstInfo: pkijs.TSTInfo;
  try {
    tstInfo = new pkijs.TSTInfo({ schema: parseDer(content, 'TSTInfo') });
  } catch (err) {
    if (err instanceof NotaryError) throw err;
    throw invalid('the TSTInfo cannot be parsed', err);
  }
  if (tstInfo.version !== 1) throw invalid(`TSTInfo version must be 1, but is ${tstInfo.version}`);
  const imprintAlgorithm = hashAlgorithmFromOid(tstInfo.messageImprint.hashAlgorithm.algorithmId);
  if (!imprintAlgorithm) {
    throw invalid(
      `unsupported or weak message imprint hash algorithm ${tstInfo.messageImprint.hashAlgorithm.algorithmId} (SHA-1 is not accepted)`,
    );
  }
  const genTime = tstInfo.genTime;
  if (!(genTime instanceof Date) || Number.isNaN(genTime.getTime())) throw invalid('the TSTInfo genTime is malformed');

  // The TSA certificate: EKU, chain to a `tsa` trust anchor, validity at genTime.
  const signerCertificate = new X509Certificate(signer.der);
  checkTimestampingEku(signerCertificate);
  const anchors = tsaRoots.map((root) => toTokenCertificate(new Uint8Array(root.rawData)));
  const chain = buildTsaChain(signer, certificates, anchors);
  if (!chain) throw untrusted(`the TSA certificate "${signer.node.subject.replace(/\n/g, ', ')}" does not chain to a trusted TSA root`);
  const validAt = opts.atTime ?? genTime;
  for (const cert of chain) {
    if (!isValidAt(cert.node, validAt)) {
      throw invalid(
        `TSA certificate "${cert.node.subject.replace(/\n/g, ', ')}" (valid ${cert.node.validFrom} to ${cert.node.validTo}) was not valid at ${validAt.toISOString()}`,
      );
    }
  }
  const signingTimeValues = attributeValues(signerInfo, OID_ATTR_SIGNING_TIME, 'signing-time');
  if (signingTimeValues) {
    const signingTime = parseTime(signingTimeValues[0]);
    if (!signingTime) throw invalid('the signing-time signed attribute is malformed');
    if (!chain.every((cert) => isValidAt(cert.node, signingTime))) {
      throw invalid(`the signing time ${signingTime.toISOString()} is outside the TSA certificate chain's validity period`);
    }
  }

  // Finally the imprint: the token must cover exactly these signature bytes.
  if (!bytesEqual(digest(imprintAlgorithm, signature), tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    throw invalid('the message imprint does not match the signature: the timestamp was issued for other data');
  }
  checkAborted(opts.signal);

  const accuracy = accuracyMs(tstInfo);
  return {
    genTime,
    accuracyMs: accuracy,
    earliest: new Date(genTime.getTime() - accuracy),
    latest: new Date(genTime.getTime() + accuracy),
    tsaChain: chain.map((c) => new X509Certificate(c.der)),
    hashAlgorithm: imprintAlgorithm,
  };
}

/** Read the TSTInfo of a token without verifying it (for requestTimestamp's response checks). */
export function readTstInfo(token: Uint8Array): pkijs.TSTInfo {
  const { content } = parseToken(token);
  try {
    return new pkijs.TSTInfo({ schema: parseDer(content, 'TSTInfo') });
  } catch (err) {
    if (err instanceof NotaryError) throw err;
    throw invalid('the TSTInfo cannot be parsed', err);
  }
}
