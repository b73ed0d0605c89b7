// Trust anchors found by bytes: which certificate of a chain is, byte for byte, one of the trusted certificates.
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual } from '../../common/index.js';
import { recordOf, sha256Hex } from './cache.js';

/**
 * The trust anchor that one of the DER certificates of `chain` is byte for byte, or undefined.
 * Only hashes are computed: nothing of the chain is parsed, so a chain that cannot be trusted costs
 * microseconds before it is refused (an untrusted chain is attacker-controlled input).
 */
export function findTrustAnchor(chain: readonly Uint8Array[], anchors: readonly X509Certificate[]): X509Certificate | undefined {
  if (anchors.length === 0) return undefined;
  const byHash = new Map<string, X509Certificate[]>();
  for (const anchor of anchors) {
    const hash = recordOf(anchor).sha256;
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
