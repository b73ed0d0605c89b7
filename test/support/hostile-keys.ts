// Certificates with RSA public keys an honest issuer never makes (huge exponents, oversized moduli): re-encoded, their signatures left stale.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export interface RsaKeyOverride {
  /** Public exponent to put in the key (default: the certificate's own). */
  exponent?: bigint;
  /** Replace the modulus with an odd one of this many bits (default: the certificate's own). */
  modulusBits?: number;
}

function bigintBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  // A leading 0x00 keeps the INTEGER positive.
  return new Uint8Array(Buffer.from(`00${hex}`, 'hex'));
}

/** An odd number of exactly `bits` bits (top bit set). */
export function oddNumberOfBits(bits: number): bigint {
  return (1n << BigInt(bits - 1)) | ((1n << BigInt(bits - 2)) - 1n) | 1n;
}

/**
 * The DER certificate `der` (an RSA certificate) with its public key's exponent or modulus
 * replaced. The issuer's signature no longer matches: the point is to see such a key refused
 * before any signature is checked with it.
 */
export function withRsaKey(der: Uint8Array, override: RsaKeyOverride): Uint8Array {
  const certificate = pkijs.Certificate.fromBER(der);
  const key = pkijs.RSAPublicKey.fromBER(certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const modulus = override.modulusBits !== undefined ? new asn1js.Integer({ valueHex: bigintBytes(oddNumberOfBits(override.modulusBits)) }) : key.modulus;
  const exponent = override.exponent !== undefined ? new asn1js.Integer({ valueHex: bigintBytes(override.exponent) }) : key.publicExponent;
  const replaced = new pkijs.RSAPublicKey({ modulus, publicExponent: exponent });
  certificate.subjectPublicKeyInfo.subjectPublicKey = new asn1js.BitString({ valueHex: replaced.toSchema().toBER(false) });
  certificate.subjectPublicKeyInfo.parsedKey = replaced;
  return new Uint8Array(certificate.toSchema(true).toBER(false));
}
