// Signature algorithms of signature-specification.md: chosen by the signing key, named per envelope format, run with node:crypto.
import { constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { NotaryError } from '../errors.js';
import type { SignatureAlgorithm } from '../types.js';

export type HashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

interface AlgorithmSpec {
  hash: HashAlgorithm;
  /** node:crypto digest name. */
  digest: 'sha256' | 'sha384' | 'sha512';
  /** Bytes of the hash: the PSS salt length and the ECDSA coordinate scale. */
  hashBytes: number;
  kind: 'rsa-pss' | 'ecdsa';
  jws: string;
  cose: number;
  /** ECDSA only: bytes of one signature coordinate (r or s). */
  coordinateBytes?: number;
}

const ALGORITHMS: Record<SignatureAlgorithm, AlgorithmSpec> = {
  'RSASSA-PSS-SHA-256': { hash: 'SHA-256', digest: 'sha256', hashBytes: 32, kind: 'rsa-pss', jws: 'PS256', cose: -37 },
  'RSASSA-PSS-SHA-384': { hash: 'SHA-384', digest: 'sha384', hashBytes: 48, kind: 'rsa-pss', jws: 'PS384', cose: -38 },
  'RSASSA-PSS-SHA-512': { hash: 'SHA-512', digest: 'sha512', hashBytes: 64, kind: 'rsa-pss', jws: 'PS512', cose: -39 },
  'ECDSA-SHA-256': { hash: 'SHA-256', digest: 'sha256', hashBytes: 32, kind: 'ecdsa', jws: 'ES256', cose: -7, coordinateBytes: 32 },
  'ECDSA-SHA-384': { hash: 'SHA-384', digest: 'sha384', hashBytes: 48, kind: 'ecdsa', jws: 'ES384', cose: -35, coordinateBytes: 48 },
  'ECDSA-SHA-512': { hash: 'SHA-512', digest: 'sha512', hashBytes: 64, kind: 'ecdsa', jws: 'ES512', cose: -36, coordinateBytes: 66 },
};

const RSA_KEY_SIZES: Record<number, SignatureAlgorithm> = {
  2048: 'RSASSA-PSS-SHA-256',
  3072: 'RSASSA-PSS-SHA-384',
  4096: 'RSASSA-PSS-SHA-512',
};

const EC_CURVES: Record<string, SignatureAlgorithm> = {
  prime256v1: 'ECDSA-SHA-256',
  secp384r1: 'ECDSA-SHA-384',
  secp521r1: 'ECDSA-SHA-512',
};

/**
 * The one algorithm a key may sign with (signature-specification.md "Algorithm Selection").
 * Any other key — RSA not 2048/3072/4096, other curves, Ed25519, RSA-PSS-only keys — is refused.
 */
export function signatureAlgorithmForKey(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    const algorithm = RSA_KEY_SIZES[bits];
    if (!algorithm) {
      throw new NotaryError(
        'UNSUPPORTED_ALGORITHM',
        `RSA key size ${bits} bits is not supported; Notary signatures need RSA 2048, 3072 or 4096 bits`,
      );
    }
    return algorithm;
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    const algorithm = EC_CURVES[curve];
    if (!algorithm) {
      throw new NotaryError('UNSUPPORTED_ALGORITHM', `EC curve ${curve} is not supported; Notary signatures need P-256, P-384 or P-521`);
    }
    return algorithm;
  }
  throw new NotaryError(
    'UNSUPPORTED_ALGORITHM',
    `${type ?? 'unknown'} keys are not supported; Notary signatures need an RSA (2048/3072/4096) or EC (P-256/P-384/P-521) key`,
  );
}

export function hashOf(algorithm: SignatureAlgorithm): HashAlgorithm {
  return ALGORITHMS[algorithm].hash;
}

export function jwsAlgorithmName(algorithm: SignatureAlgorithm): string {
  return ALGORITHMS[algorithm].jws;
}

export function coseAlgorithmLabel(algorithm: SignatureAlgorithm): number {
  return ALGORITHMS[algorithm].cose;
}

/** The Notary algorithm a JWS `alg` names; anything else (none, HS*, RS*, EdDSA...) is unsupported. */
export function algorithmFromJws(alg: string): SignatureAlgorithm {
  for (const [name, spec] of Object.entries(ALGORITHMS)) {
    if (spec.jws === alg) return name as SignatureAlgorithm;
  }
  throw new NotaryError(
    'UNSUPPORTED_ALGORITHM',
    `JWS algorithm "${alg}" is not supported; Notary signatures use PS256, PS384, PS512, ES256, ES384 or ES512`,
  );
}

/** The Notary algorithm a COSE `alg` label names. */
export function algorithmFromCose(alg: number): SignatureAlgorithm {
  for (const [name, spec] of Object.entries(ALGORITHMS)) {
    if (spec.cose === alg) return name as SignatureAlgorithm;
  }
  throw new NotaryError(
    'UNSUPPORTED_ALGORITHM',
    `COSE algorithm ${alg} is not supported; Notary signatures use -37, -38, -39 (PS256/384/512) or -7, -35, -36 (ES256/384/512)`,
  );
}

function options(algorithm: SignatureAlgorithm, key: KeyObject) {
  const spec = ALGORITHMS[algorithm];
  return spec.kind === 'rsa-pss'
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.hashBytes }
    : { key, dsaEncoding: 'ieee-p1363' as const };
}

/** Sign: RSASSA-PSS with salt length = hash length, or ECDSA with the raw r||s encoding JWS and COSE use. */
export function signBytes(algorithm: SignatureAlgorithm, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return new Uint8Array(cryptoSign(ALGORITHMS[algorithm].digest, data, options(algorithm, privateKey)));
}

/** Verify a signature made by signBytes; false for any mismatch, including a wrongly sized ECDSA signature. */
export function verifyBytes(algorithm: SignatureAlgorithm, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const spec = ALGORITHMS[algorithm];
  if (spec.coordinateBytes !== undefined && signature.byteLength !== 2 * spec.coordinateBytes) return false;
  try {
    return cryptoVerify(spec.digest, data, options(algorithm, publicKey), signature);
  } catch {
    // OpenSSL throws on some malformed inputs (e.g. an RSA signature longer than the modulus).
    return false;
  }
}
