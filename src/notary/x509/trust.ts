// Authenticity: does a signature's certificate chain lead to a certificate of the named trust stores.
import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import { nodeCertificate } from './cache.js';

/** notation's message when the chain does not lead to a trusted certificate. */
export const UNTRUSTED_SIGNER_MESSAGE = 'signature is not produced by a trusted signer';

function noAnchorsError(): NotaryError {
  return new NotaryError(
    'UNTRUSTED_SIGNER',
    `${UNTRUSTED_SIGNER_MESSAGE}: no trusted certificates are found to verify authenticity; add the signer's root certificate to a trust store the trust policy names`,
  );
}

function notInTrustStoresError(rootSubject: string | undefined): NotaryError {
  return new NotaryError(
    'UNTRUSTED_SIGNER',
    `${UNTRUSTED_SIGNER_MESSAGE}: no certificate of the chain${rootSubject !== undefined ? ` (root "${rootSubject}")` : ''} is in the trust stores named by the trust policy`,
  );
}

/**
 * Returns the trust store certificate that the chain leads to. As notation-core-go's
 * VerifyAuthenticity, a chain is trusted when any of its certificates is byte-for-byte a trust
 * anchor (normally the root; a pinned intermediate or a self-signed leaf also counts). The chain's
 * own validity (each certificate issued by the next) is validateCodeSigningChain's job. Throws
 * UNTRUSTED_SIGNER.
 */
export function verifyChainToTrustAnchors(chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate {
  if (anchors.length === 0) throw noAnchorsError();
  const anchor = findTrustAnchor(
    chain.map((certificate) => new Uint8Array(certificate.rawData)),
    anchors,
  );
  if (anchor) return anchor;
  throw notInTrustStoresError(chain[chain.length - 1]?.subject);
}

/** SHA-256 of each trust anchor's DER, computed once per anchor object (trust stores hand out the same objects). */
const anchorHashes = new WeakMap<X509Certificate, string>();

function anchorHash(anchor: X509Certificate): string {
  let hash = anchorHashes.get(anchor);
  if (hash === undefined) {
    hash = sha256Hex(new Uint8Array(anchor.rawData));
    anchorHashes.set(anchor, hash);
  }
  return hash;
}

function sha256Hex(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * The trust anchor that one of the DER certificates of `chain` is byte for byte, or undefined.
 * Only hashes are computed: nothing of the chain is parsed, so a chain that cannot be trusted costs
 * microseconds before it is refused (an untrusted chain is attacker-controlled input).
 */
export function findTrustAnchor(chain: readonly Uint8Array[], anchors: readonly X509Certificate[]): X509Certificate | undefined {
  if (anchors.length === 0) return undefined;
  const byHash = new Map<string, X509Certificate[]>();
  for (const anchor of anchors) {
    const hash = anchorHash(anchor);
    const same = byHash.get(hash);
    if (same) same.push(anchor);
    else byHash.set(hash, [anchor]);
  }
  for (const der of chain) {
    const candidates = byHash.get(sha256Hex(der));
    // The hash picks the candidates; the bytes decide.
    const anchor = candidates?.find((candidate) => bytesEqual(new Uint8Array(candidate.rawData), der));
    if (anchor) return anchor;
  }
  return undefined;
}

/**
 * verifyChainToTrustAnchors on the chain's DER bytes, before any certificate is parsed (only the
 * root, with OpenSSL, to name it in the message). Throws UNTRUSTED_SIGNER.
 */
export function verifyDerChainToTrustAnchors(chain: readonly Uint8Array[], anchors: readonly X509Certificate[]): X509Certificate {
  if (anchors.length === 0) throw noAnchorsError();
  const anchor = findTrustAnchor(chain, anchors);
  if (anchor) return anchor;
  throw notInTrustStoresError(rootSubjectForMessage(chain[chain.length - 1]));
}

/** The root's subject as RFC 4514-like text for a message; OpenSSL's parse is the cheap one. */
function rootSubjectForMessage(der: Uint8Array | undefined): string | undefined {
  if (!der) return undefined;
  try {
    return nodeCertificate(der).subject.split('\n').join(', ');
  } catch {
    return '<unreadable name>';
  }
}
