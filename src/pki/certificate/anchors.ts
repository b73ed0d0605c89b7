// Trust anchors found by bytes: which certificate of a chain is, byte for byte, one of the trusted certificates.
import { createHash } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual } from '../../common/index.js';

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
