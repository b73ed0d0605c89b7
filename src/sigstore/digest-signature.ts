// Signatures checked over a digest alone (the sigstore-conformance "digest" mode of a message-signature bundle): Node's crypto always hashes the message, so ECDSA goes through @noble/curves with prehash off.
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** DER DigestInfo prefix of SHA-256 (RFC 8017 9.2 note 1), which PKCS #1 v1.5 signs. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * True when `signature` verifies over the SHA-256 `digest` with `key`: ECDSA (DER signature, any s as Go
 * accepts) on the NIST curves, or RSA PKCS #1 v1.5. Other keys (Ed25519 signs the message, not a digest;
 * RSA-PSS) cannot verify a digest alone and answer false.
 */
export function verifyPrehashedSignature(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ec') {
      const jwk = key.export({ format: 'jwk' });
      const curve = CURVES[jwk.crv as keyof typeof CURVES] as (typeof CURVES)[keyof typeof CURVES] | undefined;
      if (!curve || !jwk.x || !jwk.y) return false;
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
      return curve.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
    }
    if (key.asymmetricKeyType === 'rsa') {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return recovered.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
    }
    return false;
  } catch {
    return false;
  }
}
