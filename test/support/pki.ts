// Test PKI for every suite: Notary-conformant chains and deliberately bad certificates, plus a key cache for speed.
import type { webcrypto } from 'node:crypto';
import { generateKeyPair, type KeyType } from '../../src/notary/pki/index.js';

export * from '../../src/notary/pki/index.js';

const keyCache = new Map<string, Promise<webcrypto.CryptoKeyPair>>();

/**
 * A key pair shared within one test process, by type and slot. RSA 3072/4096 keys take up to
 * seconds to generate; pass `keys: await cachedKeyPair('rsa-4096', 'leaf')` to reuse one. Use
 * different slots for certificates that must not share a key (e.g. two unrelated roots).
 */
export function cachedKeyPair(keyType: KeyType, slot: string | number = 0): Promise<webcrypto.CryptoKeyPair> {
  const id = `${keyType}/${slot}`;
  let pair = keyCache.get(id);
  if (!pair) {
    pair = generateKeyPair(keyType);
    keyCache.set(id, pair);
  }
  return pair;
}
