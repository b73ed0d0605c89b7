// Reads the PEM/DER files a signer is given: certificate chains (leaf first) and private keys.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readPem, toPem } from '../../pki/index.js';
import { NotaryError } from '../errors.js';

/** A chain file larger than this is not a certificate chain. */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;
/** Certificates read from one chain file at most. */
export const MAX_CERTIFICATES_PER_FILE = 32;

/**
 * The DER bytes of every `CERTIFICATE` block of a PEM text, in order (other blocks, e.g. the key in
 * a combined file, are passed over); a DER file yields itself.
 */
export function parseCertificates(data: Uint8Array | string, source = 'certificate file'): Uint8Array[] {
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  if (size > MAX_CERTIFICATE_FILE_BYTES) {
    throw new NotaryError('INVALID_INPUT', `${source} is ${size} bytes, over the ${MAX_CERTIFICATE_FILE_BYTES}-byte limit for certificate files`);
  }
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  // A DER certificate starts with a SEQUENCE tag; PEM is text.
  if (bytes[0] === 0x30) return [new Uint8Array(bytes)];
  const certificates: Uint8Array[] = [];
  for (const block of readPem(bytes.toString('utf8')).blocks) {
    if (block.label !== block.endLabel) throw new NotaryError('INVALID_INPUT', `${source} has a PEM block "${block.label}" closed by "${block.endLabel}"`);
    if (block.label !== 'CERTIFICATE') continue;
    if (!block.der) throw new NotaryError('INVALID_INPUT', `${source} has a PEM "CERTIFICATE" block that is empty or not base64`);
    if (certificates.length >= MAX_CERTIFICATES_PER_FILE) {
      throw new NotaryError('INVALID_INPUT', `${source} holds more than ${MAX_CERTIFICATES_PER_FILE} certificates`);
    }
    certificates.push(block.der);
  }
  if (certificates.length === 0) {
    throw new NotaryError('INVALID_INPUT', `${source} holds no PEM "CERTIFICATE" block; give a PEM file with the chain, leaf first`);
  }
  return certificates;
}

/** PEM text of DER certificates, in the order given. */
export function certificatesToPem(certificates: Uint8Array[]): string {
  return certificates.map((der) => toPem('CERTIFICATE', der)).join('');
}

/** A private key from PEM (PKCS#8, PKCS#1 or SEC1) or DER PKCS#8. */
export function parsePrivateKey(data: Uint8Array | string, source = 'key file'): KeyObject {
  try {
    if (typeof data !== 'string' && data[0] === 0x30) {
      return createPrivateKey({ key: Buffer.from(data), format: 'der', type: 'pkcs8' });
    }
    return createPrivateKey({ key: typeof data === 'string' ? data : Buffer.from(data).toString('utf8'), format: 'pem' });
  } catch (err) {
    const text = typeof data === 'string' ? data : Buffer.from(data.subarray(0, 4096)).toString('latin1');
    if ((err as NodeJS.ErrnoException).code === 'ERR_MISSING_PASSPHRASE' || /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
      throw new NotaryError(
        'INVALID_INPUT',
        `${source} is an encrypted private key; imgverify reads unencrypted keys only: decrypt it with \`openssl pkey -in ${source} -out key.pem\` ` +
          '(it asks for the passphrase), keep key.pem private (chmod 600) and pass --key key.pem',
        { cause: err },
      );
    }
    throw new NotaryError('INVALID_INPUT', `${source} does not hold an unencrypted private key (PEM PKCS#8, PKCS#1, SEC1 or DER PKCS#8)`, {
      cause: err,
    });
  }
}
