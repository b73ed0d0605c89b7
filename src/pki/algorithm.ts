// Hash and signature algorithms accepted in RFC 3161 tokens, OCSP responses and CRLs, and signature checks over raw bytes.
import { createHash, createPublicKey, verify as cryptoVerify, constants as cryptoConstants, type KeyObject } from 'node:crypto';
import { publicKeyBoundsProblem } from './certificate/key-bounds.js';
import * as asn1js from 'asn1js';

export type HashAlgorithmName = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Hash algorithms by OID. SHA-1 and MD5 are deliberately absent: tokens naming them are rejected (as tspclient-go does). */
const HASH_ALGORITHMS: Readonly<Record<string, HashAlgorithmName>> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

export const HASH_ALGORITHM_OIDS: Readonly<Record<HashAlgorithmName, string>> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};

/** OID of SHA-1: only used to build OCSP CertIDs (an identifier, not a security primitive), as notation-core-go does. */
export const OID_SHA1 = '1.3.14.3.2.26';

const NODE_HASH: Readonly<Record<HashAlgorithmName | 'SHA-1', string>> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export function digest(algorithm: HashAlgorithmName | 'SHA-1', data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(NODE_HASH[algorithm]).update(data).digest());
}

/** Name of the hash with this OID, or undefined when it is unknown or too weak. */
export function hashAlgorithmFromOid(oid: string): HashAlgorithmName | undefined {
  return HASH_ALGORITHMS[oid];
}

const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** Signature algorithms with a fixed hash: RSA PKCS#1 v1.5 and ECDSA with SHA-2. */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, { kind: 'rsa' | 'ecdsa'; hash: HashAlgorithmName }>> = {
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'SHA-512' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'SHA-512' },
};

export interface AlgorithmIdentifierValue {
  /** OID of the algorithm. */
  algorithm: string;
  /** DER of the parameters, when present. */
  parameters?: asn1js.AsnType;
}

/** Why a signature could not be checked or did not verify. */
export class SignatureCheckError extends Error {}

interface ResolvedAlgorithm {
  hash: HashAlgorithmName;
  pss?: { saltLength: number };
}

function resolvePss(parameters: asn1js.AsnType | undefined): ResolvedAlgorithm {
  // RSASSA-PSS-params: [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength, [3] trailerField; defaults (SHA-1) are weak.
  if (!(parameters instanceof asn1js.Sequence)) throw new SignatureCheckError('RSASSA-PSS parameters are missing');
  let hash: HashAlgorithmName | undefined;
  let saltLength = 20;
  for (const field of parameters.valueBlock.value) {
    if (field.idBlock.tagClass !== 3) continue;
    const inner = field instanceof asn1js.Constructed ? field.valueBlock.value[0] : undefined;
    if (field.idBlock.tagNumber === 0 && inner instanceof asn1js.Sequence) {
      const oid = inner.valueBlock.value[0];
      if (oid instanceof asn1js.ObjectIdentifier) hash = hashAlgorithmFromOid(oid.valueBlock.toString());
    } else if (field.idBlock.tagNumber === 2 && inner instanceof asn1js.Integer) {
      saltLength = inner.valueBlock.valueDec;
    }
  }
  if (!hash) throw new SignatureCheckError('RSASSA-PSS with an unsupported or weak hash algorithm');
  return { hash, pss: { saltLength } };
}

function resolveAlgorithm(signatureAlgorithm: AlgorithmIdentifierValue, digestAlgorithmOid?: string): ResolvedAlgorithm {
  const fixed = SIGNATURE_ALGORITHMS[signatureAlgorithm.algorithm];
  if (fixed) {
    if (digestAlgorithmOid !== undefined && hashAlgorithmFromOid(digestAlgorithmOid) !== fixed.hash) {
      throw new SignatureCheckError(
        `digest algorithm ${digestAlgorithmOid} does not match signature algorithm ${signatureAlgorithm.algorithm}`,
      );
    }
    return { hash: fixed.hash };
  }
  if (signatureAlgorithm.algorithm === OID_RSASSA_PSS) return resolvePss(signatureAlgorithm.parameters);
  // CMS allows the bare key algorithm as signatureAlgorithm; the hash is then the SignerInfo's digestAlgorithm.
  if (signatureAlgorithm.algorithm === OID_RSA_ENCRYPTION || signatureAlgorithm.algorithm === OID_EC_PUBLIC_KEY) {
    const hash = digestAlgorithmOid ? hashAlgorithmFromOid(digestAlgorithmOid) : undefined;
    if (!hash) throw new SignatureCheckError(`unsupported or weak digest algorithm ${digestAlgorithmOid ?? '(none)'}`);
    return { hash };
  }
  throw new SignatureCheckError(`unsupported or weak signature algorithm ${signatureAlgorithm.algorithm}`);
}

/**
 * Verify `signature` over `data` with the public key of a DER certificate (or a KeyObject), the way CMS and OCSP
 * name algorithms. Throws SignatureCheckError for unsupported or weak algorithms; returns false when the value
 * does not verify.
 */
export function verifySignatureValue(
  publicKey: KeyObject | Uint8Array,
  signatureAlgorithm: AlgorithmIdentifierValue,
  data: Uint8Array,
  signature: Uint8Array,
  digestAlgorithmOid?: string,
): boolean {
  const resolved = resolveAlgorithm(signatureAlgorithm, digestAlgorithmOid);
  const key = publicKey instanceof Uint8Array ? createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' }) : publicKey;
  const keyProblem = publicKeyBoundsProblem(key);
  if (keyProblem) throw new SignatureCheckError(`the signer's public key is refused: ${keyProblem}`);
  const keyType = key.asymmetricKeyType;
  try {
    if (resolved.pss) {
      if (keyType !== 'rsa' && keyType !== 'rsa-pss') throw new SignatureCheckError('RSASSA-PSS signature with a non-RSA key');
      return cryptoVerify(
        NODE_HASH[resolved.hash],
        data,
        { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: resolved.pss.saltLength },
        signature,
      );
    }
    if (keyType === 'rsa') {
      return cryptoVerify(NODE_HASH[resolved.hash], data, { key, padding: cryptoConstants.RSA_PKCS1_PADDING }, signature);
    }
    if (keyType === 'ec') return cryptoVerify(NODE_HASH[resolved.hash], data, { key, dsaEncoding: 'der' }, signature);
  } catch (err) {
    if (err instanceof SignatureCheckError) throw err;
    // Malformed signature values (bad DER, wrong length) simply do not verify.
    return false;
  }
  throw new SignatureCheckError(`unsupported public key type ${keyType ?? 'unknown'}`);
}
