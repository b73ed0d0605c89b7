// Reads X.509 certificates from PEM or DER bytes (one or many per bundle), strictly and within bounds.
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiError } from '../errors.js';
import { isPem, readPem } from '../pem.js';
import { X509Certificate } from '../x509.js';
import { cachedRecord, keptRecord } from './cache.js';
import { MAX_CERTIFICATES_PER_BUNDLE, MAX_CERTIFICATE_BUNDLE_BYTES } from './constants.js';

const DER_SEQUENCE_TAG = 0x30;

export interface ParseCertificatesOptions {
  /** Where the bytes came from, for messages (a file path, `TrustStore "x"`...). */
  source?: string;
  maxBytes?: number;
  maxCertificates?: number;
}

/**
 * Every certificate of a PEM text (all blocks must be `CERTIFICATE`) or of concatenated DER
 * certificates, in order. Zero certificates is an error: notation requires each trust store file to
 * hold at least one.
 */
export function parseCertificateBundle(data: Uint8Array | string, options: ParseCertificatesOptions = {}): X509Certificate[] {
  const source = options.source ?? 'certificate data';
  const maxBytes = options.maxBytes ?? MAX_CERTIFICATE_BUNDLE_BYTES;
  const maxCertificates = options.maxCertificates ?? MAX_CERTIFICATES_PER_BUNDLE;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength > maxBytes) {
    throw new PkiError('INVALID_CERTIFICATE', `${source} is ${bytes.byteLength} bytes, over the ${maxBytes}-byte limit for certificate files`);
  }
  const ders = isPem(bytes) ? pemCertificates(bytes, source) : derCertificates(bytes, source);
  if (ders.length === 0) {
    throw new PkiError('INVALID_CERTIFICATE', `${source} holds no certificate; give PEM "CERTIFICATE" blocks or DER certificates`);
  }
  if (ders.length > maxCertificates) {
    throw new PkiError('INVALID_CERTIFICATE', `${source} holds ${ders.length} certificates, over the limit of ${maxCertificates}`);
  }
  return ders.map((der, index) => parseCertificate(der, { source: ders.length > 1 ? `${source} (certificate ${index + 1})` : source }));
}

/**
 * One DER certificate, checked by OpenSSL's strict DER parser as well as @peculiar/x509's. The same
 * bytes give the same object for as long as it stays in the process's certificate cache: treat it as
 * read-only (it only holds what the bytes say; validity, trust and revocation are decided by callers).
 */
export function parseCertificate(der: Uint8Array, options: Pick<ParseCertificatesOptions, 'source'> = {}): X509Certificate {
  const source = options.source ?? 'certificate';
  if (der.byteLength === 0) throw new PkiError('INVALID_CERTIFICATE', `${source} is empty; expected a DER or PEM certificate`);
  if (der[0] !== DER_SEQUENCE_TAG || derElementLength(der, 0) !== der.byteLength) {
    throw new PkiError('INVALID_CERTIFICATE', `${source} is not a single DER-encoded X.509 certificate`);
  }
  const { sha256, record } = cachedRecord(der);
  if (record?.certificate) return record.certificate;
  try {
    // Node's parser is OpenSSL's: it rejects malformed DER that a lenient parser would accept.
    const node = record?.node ?? new NodeX509Certificate(der);
    const certificate = new X509Certificate(new Uint8Array(der));
    Object.assign(keptRecord(sha256), { node, certificate });
    return certificate;
  } catch (err) {
    throw new PkiError('INVALID_CERTIFICATE', `${source} is not a valid X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

function pemCertificates(bytes: Buffer, source: string): Uint8Array[] {
  const ders: Uint8Array[] = [];
  for (const block of readPem(bytes.toString('utf8'), MAX_CERTIFICATES_PER_BUNDLE).blocks) {
    const { label } = block;
    if (label !== block.endLabel) throw new PkiError('INVALID_CERTIFICATE', `${source} has a PEM block "${label}" closed by "${block.endLabel}"`);
    if (label !== 'CERTIFICATE') {
      // A key or CRL in a certificate bundle is a misconfiguration worth stopping for.
      throw new PkiError('INVALID_CERTIFICATE', `${source} holds a PEM "${label}" block; only "CERTIFICATE" blocks are allowed`);
    }
    if (!block.der) throw new PkiError('INVALID_CERTIFICATE', `${source} has a PEM "CERTIFICATE" block that is empty or not base64`);
    ders.push(block.der);
  }
  return ders;
}

function derCertificates(bytes: Buffer, source: string): Uint8Array[] {
  const ders: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (bytes[offset] !== DER_SEQUENCE_TAG) {
      throw new PkiError('INVALID_CERTIFICATE', `${source} is neither PEM nor DER: expected a certificate at byte ${offset}`);
    }
    const length = derElementLength(bytes, offset);
    if (length === undefined) throw new PkiError('INVALID_CERTIFICATE', `${source} holds a truncated or malformed DER certificate at byte ${offset}`);
    ders.push(new Uint8Array(bytes.subarray(offset, offset + length)));
    offset += length;
    if (ders.length > MAX_CERTIFICATES_PER_BUNDLE) break;
  }
  return ders;
}

/** Total length (header + content) of the DER element at `offset`, or undefined when it does not fit. */
function derElementLength(bytes: Uint8Array, offset: number): number | undefined {
  const first = bytes[offset + 1];
  if (first === undefined) return undefined;
  let contentLength: number;
  let headerLength: number;
  if (first < 0x80) {
    contentLength = first;
    headerLength = 2;
  } else {
    const lengthBytes = first & 0x7f;
    // 0x80 is BER's indefinite length, not DER; more than 4 length bytes is beyond any bound we accept.
    if (lengthBytes === 0 || lengthBytes > 4) return undefined;
    contentLength = 0;
    for (let i = 0; i < lengthBytes; i++) {
      const byte = bytes[offset + 2 + i];
      if (byte === undefined) return undefined;
      contentLength = contentLength * 256 + byte;
    }
    headerLength = 2 + lengthBytes;
  }
  const total = headerLength + contentLength;
  return offset + total <= bytes.byteLength ? total : undefined;
}
