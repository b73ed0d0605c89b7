// The envelope's certificate chain (unsigned attribute): bounded, parsed, and the leaf's key picked for verification.
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { NotaryError } from '../errors.js';
import { nodeCertificate, publicKeyBoundsProblem } from '../../pki/index.js';
import type { SignatureAlgorithm } from '../types.js';
import { signatureAlgorithmForKey } from './algorithm.js';
import { MAX_ENVELOPE_CERTIFICATE_BYTES, MAX_ENVELOPE_CHAIN_LENGTH } from './constants.js';
import { malformed } from './attributes.js';

export interface SigningCertificate {
  chain: Uint8Array[];
  publicKey: KeyObject;
  /** The algorithm the leaf's key dictates. */
  algorithm: SignatureAlgorithm;
}

/** Check the chain's bounds, parse the leaf and derive the algorithm from its key. */
export function signingCertificate(format: string, chain: Uint8Array[]): SigningCertificate {
  if (chain.length === 0) throw malformed(format, 'the certificate chain is empty; the envelope must carry the signing certificate');
  if (chain.length > MAX_ENVELOPE_CHAIN_LENGTH) {
    throw malformed(format, `the certificate chain has ${chain.length} certificates, more than the limit of ${MAX_ENVELOPE_CHAIN_LENGTH}`);
  }
  for (const [index, der] of chain.entries()) {
    if (der.byteLength === 0 || der.byteLength > MAX_ENVELOPE_CERTIFICATE_BYTES) {
      throw malformed(format, `certificate ${index} of the chain is ${der.byteLength} bytes; allowed are 1 to ${MAX_ENVELOPE_CERTIFICATE_BYTES}`);
    }
  }
  const leaf = parseCertificate(format, chain[0] as Uint8Array, 0);
  // Parse every certificate so a broken one is reported here rather than deep inside trust evaluation.
  for (let index = 1; index < chain.length; index++) parseCertificate(format, chain[index] as Uint8Array, index);
  // Refused before the envelope's signature is checked with it.
  const keyProblem = publicKeyBoundsProblem(leaf.publicKey);
  if (keyProblem) {
    throw new NotaryError('INVALID_CERTIFICATE_CHAIN', `the signing certificate with subject "${leaf.subject.split('\n').join(', ')}" is refused: ${keyProblem}`);
  }
  const publicKey = leaf.publicKey;
  return { chain, publicKey, algorithm: signatureAlgorithmForKey(publicKey) };
}

function parseCertificate(format: string, der: Uint8Array, index: number): X509Certificate {
  try {
    // Shared per distinct DER: every image of a signer carries the same chain.
    return nodeCertificate(der);
  } catch (err) {
    throw malformed(format, `certificate ${index} of the chain is not a DER X.509 certificate`, err);
  }
}

/** True when `privateKey` is the key of the certificate `der`. */
export function keyMatchesCertificate(privateKey: KeyObject, der: Uint8Array): boolean {
  assertPrivateKey(privateKey);
  const fromPrivate = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const fromCertificate = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'der' });
  return fromPrivate.equals(fromCertificate);
}

export function assertPrivateKey(key: unknown): asserts key is KeyObject {
  const isKeyObject = typeof key === 'object' && key !== null && 'type' in key && (key as KeyObject).type === 'private';
  if (!isKeyObject) throw new NotaryError('INVALID_INPUT', 'the signing key must be a private KeyObject (node:crypto)');
}
