// Public keys and raw signatures as cosign verifies them: PEM keys (ECDSA, RSA, Ed25519), the hash, strict base64.
import { createPublicKey, constants as cryptoConstants, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { readPem } from '../pki/index.js';
import { DEFAULT_SIGNATURE_ALGORITHM } from './constants.js';
import { CosignError } from './errors.js';
import type { SignatureAlgorithm } from './options.js';

/** ECDSA curves cosign verifies with (sigstore's LoadVerifier). */
const EC_CURVES: readonly string[] = ['prime256v1', 'secp384r1', 'secp521r1'];
const MAX_KEYS = 100;
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Standard base64 as Go's decoder reads it: `\r` and `\n` anywhere are skipped (signatures written
 * with line breaks verify), anything else outside the alphabet or bad padding is an error.
 */
export function decodeBase64(text: string, what: string): Uint8Array {
  const compact = text.replace(/[\r\n]/g, '');
  if (!STRICT_BASE64.test(compact)) throw new CosignError('MALFORMED_SIGNATURE', `${what}: illegal base64 data`);
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

/** A key cosign verifies with: ECDSA P-256/384/521, RSA (PKCS#1 v1.5 or PSS), Ed25519; anything else is refused. */
export function checkKeyType(key: KeyObject, what: string): KeyObject {
  const type = key.asymmetricKeyType;
  if (type === 'ec' && EC_CURVES.includes(key.asymmetricKeyDetails?.namedCurve ?? '')) return key;
  if (type === 'rsa' || type === 'rsa-pss' || type === 'ed25519') return key;
  const detail = type === 'ec' ? `ec ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : (type ?? 'unknown');
  throw new CosignError('UNSUPPORTED_ALGORITHM', `${what}: unsupported public key type ${detail} (cosign verifies ECDSA P-256/P-384/P-521, RSA and Ed25519)`);
}

/** Every `PUBLIC KEY` block of the given PEM texts (Kyverno's publicKeys may hold several), in order. */
export function parsePublicKeys(texts: readonly string[]): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const text of texts) {
    const { blocks } = readPem(text, MAX_KEYS);
    const found = blocks.filter((block) => block.label === 'PUBLIC KEY');
    if (found.length === 0) throw new CosignError('INVALID_INPUT', 'failed to load public key from PEM: no PEM block of type PUBLIC KEY found');
    for (const block of found) {
      if (!block.der || block.endLabel !== block.label) throw new CosignError('INVALID_INPUT', 'failed to load public key from PEM: the PEM block is malformed');
      let key: KeyObject;
      try {
        key = createPublicKey({ key: Buffer.from(block.der), format: 'der', type: 'spki' });
      } catch (err) {
        throw new CosignError('INVALID_INPUT', 'failed to load public key from PEM: the block is not a SubjectPublicKeyInfo', { cause: err });
      }
      keys.push(checkKeyType(key, 'public key'));
      if (keys.length > MAX_KEYS) throw new CosignError('INVALID_INPUT', `more than ${MAX_KEYS} public keys`);
    }
  }
  return keys;
}

/** The DER SubjectPublicKeyInfo of a key: keys are equal when these bytes are. */
export function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

/**
 * Throws INVALID_SIGNATURE, worded as sigstore's verifiers word it, unless `signature` is `key`'s
 * signature of `data`: ECDSA (ASN.1) and RSA over the `hash` of the data, Ed25519 over the data.
 */
export function verifySignature(key: KeyObject, data: Uint8Array, signature: Uint8Array, hash: SignatureAlgorithm = DEFAULT_SIGNATURE_ALGORITHM): void {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') {
    if (!cryptoVerify(null, data, key, signature)) throw new CosignError('INVALID_SIGNATURE', 'failed to verify signature');
    return;
  }
  if (type === 'ec') {
    if (!safeVerify(hash, data, { key, dsaEncoding: 'der' }, signature)) {
      throw new CosignError('INVALID_SIGNATURE', 'invalid signature when validating ASN.1 encoded signature');
    }
    return;
  }
  // RSA: PKCS#1 v1.5 (cosign's default) or PSS with any salt length.
  if (type === 'rsa' && safeVerify(hash, data, { key, padding: cryptoConstants.RSA_PKCS1_PADDING }, signature)) return;
  if (safeVerify(hash, data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_AUTO }, signature)) return;
  throw new CosignError('INVALID_SIGNATURE', 'crypto/rsa: verification error');
}

/** node:crypto throws on some malformed signatures (a wrong-length RSA signature); that is a failed verification. */
function safeVerify(hash: string, data: Uint8Array, key: Parameters<typeof cryptoVerify>[2], signature: Uint8Array): boolean {
  try {
    return cryptoVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}
