// Bounds on the public keys of certificates, checked before any signature is verified with them (untrusted input costs CPU).
import type { KeyObject } from 'node:crypto';
import { MAX_RSA_MODULUS_BITS, MAX_RSA_PUBLIC_EXPONENT } from './constants.js';

/** Why `key` is too costly to verify with, or undefined. Only RSA keys have unbounded parameters. */
export function publicKeyBoundsProblem(key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'rsa-pss') return undefined;
  const details = key.asymmetricKeyDetails ?? {};
  const bits = details.modulusLength;
  if (bits === undefined || bits > MAX_RSA_MODULUS_BITS) {
    return `its RSA modulus is ${bits ?? 'of unknown size'} bits, more than the ${MAX_RSA_MODULUS_BITS} allowed`;
  }
  const exponent = details.publicExponent;
  if (exponent === undefined || exponent > MAX_RSA_PUBLIC_EXPONENT) {
    return `its RSA public exponent is ${exponent === undefined ? 'unreadable' : `${exponent.toString(2).length} bits long`}, more than the 2^32 allowed (as Go's x509)`;
  }
  return undefined;
}

