// Reads the private keys a signer is given and writes PEM chains; certificate chains are read by pki's
// parseCertificateBundle, within the bounds below.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { toPem } from '../../pki/index.js';
import { NotaryError } from '../errors.js';

/** A chain file larger than this is not a certificate chain. */
export const MAX_CERTIFICATE_FILE_BYTES = 1024 * 1024;
/** Certificates read from one chain file at most. */
export const MAX_CERTIFICATES_PER_FILE = 32;

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
