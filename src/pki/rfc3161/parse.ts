// RFC 3161 tokens read: ContentInfo → SignedData → TSTInfo and the certificates carried, bounded, with no trust decision.
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeBer } from '../asn1.js';
import * as pkijs from 'pkijs';
import { publicKeyBoundsProblem } from '../certificate/key-bounds.js';
import { PkiError } from '../errors.js';
import { normaliseSerial } from '../certificate/serial.js';
import { MAX_TIMESTAMP_TOKEN_BYTES, MAX_TOKEN_CERTIFICATES, OID_CT_TSTINFO, OID_SIGNED_DATA } from './constants.js';

/** What a parsed token holds, before any trust decision. */
export interface ParsedToken {
  signedData: pkijs.SignedData;
  /** DER of the encapsulated TSTInfo. */
  content: Uint8Array;
  /** DER of each certificate the token carries, in order. */
  certificates: TokenCertificate[];
}

export interface TokenCertificate {
  der: Uint8Array;
  node: NodeX509Certificate;
  issuerDer: Uint8Array;
  subjectDer: Uint8Array;
  /** Serial number, lower-case hex without leading zeros. */
  serial: string;
}

/** INVALID_TIMESTAMP with the defect named. */
export function invalidTimestamp(message: string, cause?: unknown): PkiError {
  return new PkiError('INVALID_TIMESTAMP', `invalid timestamp: ${message}`, cause === undefined ? undefined : { cause });
}

function parseDer(bytes: Uint8Array, what: string): asn1js.AsnType {
  const parsed = decodeBer(bytes);
  if (!parsed.ok) throw invalidTimestamp(`${what} is not valid ASN.1: ${parsed.message}`, parsed.error);
  if (parsed.offset === -1) throw invalidTimestamp(`${what} is not valid ASN.1: ${parsed.result.error}`);
  if (parsed.offset !== bytes.byteLength) throw invalidTimestamp(`${what} has trailing data`);
  return parsed.result;
}

export function children(node: asn1js.AsnType): asn1js.AsnType[] {
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
  if (!(serial instanceof asn1js.Integer) || !issuer || !subject) throw invalidTimestamp('a certificate of the token is malformed');
  return {
    issuerDer: issuer.valueBeforeDecodeView,
    subjectDer: subject.valueBeforeDecodeView,
    serialBytes: serial.valueBlock.valueHexView,
  };
}

export function toTokenCertificate(der: Uint8Array): TokenCertificate {
  let node: NodeX509Certificate;
  let publicKey: NodeX509Certificate['publicKey'];
  try {
    node = new NodeX509Certificate(Buffer.from(der));
    // Decoded lazily by Node: a key that is no valid point or integer throws here (found by test/reliability/fuzz).
    publicKey = node.publicKey;
  } catch (err) {
    throw invalidTimestamp('a certificate of the token cannot be parsed', err);
  }
  // Before any signature is checked with it (the token's own certificates are the sender's choice).
  const keyProblem = publicKeyBoundsProblem(publicKey);
  if (keyProblem) throw invalidTimestamp(`the certificate "${node.subject.replace(/\n/g, ', ')}" of the timestamp is refused: ${keyProblem}`);
  const names = certificateNames(der);
  return { der, node, issuerDer: names.issuerDer, subjectDer: names.subjectDer, serial: normaliseSerial(names.serialBytes) };
}

/** Parse ContentInfo → SignedData → TSTInfo content and the carried certificates; no trust decision. */
export function parseToken(token: Uint8Array): ParsedToken {
  if (token.byteLength === 0) throw invalidTimestamp('the timestamp token is empty');
  if (token.byteLength > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw invalidTimestamp(`the token is ${token.byteLength} bytes, more than the ${MAX_TIMESTAMP_TOKEN_BYTES} allowed`);
  }
  const root = parseDer(token, 'the timestamp token');
  let contentInfo: pkijs.ContentInfo;
  try {
    contentInfo = new pkijs.ContentInfo({ schema: root });
  } catch (err) {
    throw invalidTimestamp('the token is not a CMS ContentInfo', err);
  }
  if (contentInfo.contentType !== OID_SIGNED_DATA) {
    throw invalidTimestamp(`the token's content type is ${contentInfo.contentType}, not CMS SignedData`);
  }
  let signedData: pkijs.SignedData;
  try {
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    throw invalidTimestamp('the token does not hold a valid CMS SignedData', err);
  }
  const encap = signedData.encapContentInfo;
  if (encap.eContentType !== OID_CT_TSTINFO) {
    throw invalidTimestamp(`unexpected content type ${encap.eContentType}: a timestamp token must encapsulate id-ct-TSTInfo`);
  }
  if (!encap.eContent) throw invalidTimestamp('the token has no encapsulated TSTInfo');
  const content = octetStringValue(encap.eContent);

  // Take certificates from the raw tree so hashes are computed over the exact bytes the TSA sent.
  const signedDataNode = children(root)[1];
  const signedDataSequence = signedDataNode ? children(signedDataNode)[0] : undefined;
  const certificateSet = signedDataSequence
    ? children(signedDataSequence).find((n) => n.idBlock.tagClass === 3 && n.idBlock.tagNumber === 0)
    : undefined;
  const certificateNodes = certificateSet ? children(certificateSet) : [];
  if (certificateNodes.length > MAX_TOKEN_CERTIFICATES) {
    throw invalidTimestamp(`the token carries ${certificateNodes.length} certificates, more than the ${MAX_TOKEN_CERTIFICATES} allowed`);
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

/** The TSTInfo of a token's encapsulated content (its fields are checked by the verifier). */
export function parseTstInfo(content: Uint8Array): pkijs.TSTInfo {
  try {
    return new pkijs.TSTInfo({ schema: parseDer(content, 'TSTInfo') });
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw invalidTimestamp('the TSTInfo cannot be parsed', err);
  }
}

/** Read the TSTInfo of a token without verifying it (for requestTimestamp's response checks). */
export function readTstInfo(token: Uint8Array): pkijs.TSTInfo {
  return parseTstInfo(parseToken(token).content);
}
