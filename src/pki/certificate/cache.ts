// Certificates parsed once per process, kept by the SHA-256 of their exact DER bytes: every image arrives with the same signer chain.
import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { LRUCache } from 'lru-cache';
import { MAX_CACHED_CERTIFICATES } from './constants.js';

/**
 * The parses of one DER certificate, each filled the first time it is asked for. Only what the
 * bytes alone determine is kept here; decisions that depend on time, trust stores or revocation
 * are made again by every verification.
 */
interface ParsedDer {
  /** OpenSSL's parse. */
  node?: NodeX509Certificate;
  /** @peculiar/x509's parse, kept only once it passed parseCertificate's strict checks. */
  certificate?: X509Certificate;
}

const parsed = new LRUCache<string, ParsedDer>({ max: MAX_CACHED_CERTIFICATES });

/**
 * The cache key of a certificate: a hash of its exact bytes. Never its subject, issuer or serial:
 * anyone can mint a different certificate with the same names, and it must be parsed on its own.
 */
function derKey(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The parses of `der` kept so far (touching the entry, so a chain in use stays cached). */
export function cachedParse(der: Uint8Array): { key: string; entry: Readonly<ParsedDer> | undefined } {
  const key = derKey(der);
  return { key, entry: parsed.get(key) };
}

/** Keep what parsing the certificate under `key` produced; failed parses are never kept. */
export function rememberParse(key: string, parts: ParsedDer): void {
  const entry = parsed.get(key);
  if (entry) Object.assign(entry, parts);
  else parsed.set(key, { ...parts });
}

/**
 * OpenSSL's view of the DER certificate `der`, parsed once per distinct certificate. The returned
 * object is shared: treat it as read-only. Throws as node's X509Certificate constructor does.
 */
export function nodeCertificate(der: Uint8Array): NodeX509Certificate {
  const { key, entry } = cachedParse(der);
  if (entry?.node) return entry.node;
  const node = new NodeX509Certificate(der);
  rememberParse(key, { node });
  return node;
}

