// One record per certificate, kept by the SHA-256 of its exact DER bytes: every parse and every fact read from it, each once (every image arrives with the same signer chain).
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { hexDigest } from '../../common/hash.js';
import type { X509Certificate } from '@peculiar/x509';
import { LRUCache } from 'lru-cache';
import type { CertificateInfo } from '../revocation/certificate.js';
import { MAX_CACHED_CERTIFICATES } from './constants.js';
import type { CertificateSubject } from './dn.js';
import type { CertificateFacts } from './facts.js';

/**
 * What the bytes of one DER certificate say, each part filled the first time it is asked for. Only
 * what the bytes alone determine is kept here; decisions that depend on time, trust stores or
 * revocation are made again by every verification. Failed reads are never kept.
 */
export interface CertificateRecord {
  /** SHA-256 of the DER, lower-case hex: the record's key and the certificate's fingerprint. */
  readonly sha256: string;
  /** OpenSSL's parse. */
  node?: NodeX509Certificate;
  /** @peculiar/x509's parse, kept only once it passed parseCertificate's strict checks. */
  certificate?: X509Certificate;
  /** What certificate requirements look at (certificateFacts). */
  facts?: CertificateFacts;
  /** The subject as trusted identities match it (certificateSubject). */
  subject?: CertificateSubject;
  /** The raw fields revocation checks compare (describeCertificate). */
  revocation?: CertificateInfo;
}

const records = new LRUCache<string, CertificateRecord>({ max: MAX_CACHED_CERTIFICATES });

/** By certificate object, so the DER of a certificate in use is hashed once, not at every lookup. */
const recordsByObject = new WeakMap<X509Certificate, CertificateRecord>();

/**
 * The cache key of a certificate: a hash of its exact bytes. Never its subject, issuer or serial:
 * anyone can mint a different certificate with the same names, and it must be parsed on its own.
 */
export function sha256Hex(der: Uint8Array): string {
  return hexDigest('sha256', der);
}

/** The record of `der` if there is one (touching it, so a chain in use stays cached), and its key. */
export function cachedRecord(der: Uint8Array): { sha256: string; record: CertificateRecord | undefined } {
  const sha256 = sha256Hex(der);
  return { sha256, record: records.get(sha256) };
}

/** The record under `sha256`, made when a read of its certificate first succeeds (a failed read never takes a place). */
export function keptRecord(sha256: string): CertificateRecord {
  let record = records.get(sha256);
  if (!record) {
    record = { sha256 };
    records.set(sha256, record);
  }
  return record;
}

/** The record of a parsed certificate: the one of its DER bytes. */
export function recordOf(certificate: X509Certificate): CertificateRecord {
  let record = recordsByObject.get(certificate);
  if (!record) {
    record = keptRecord(sha256Hex(new Uint8Array(certificate.rawData)));
    recordsByObject.set(certificate, record);
  }
  return record;
}

/**
 * OpenSSL's view of the DER certificate `der`, parsed once per distinct certificate. The returned
 * object is shared: treat it as read-only. Throws as node's X509Certificate constructor does.
 */
export function nodeCertificate(der: Uint8Array): NodeX509Certificate {
  const { sha256, record } = cachedRecord(der);
  if (record?.node) return record.node;
  const node = new NodeX509Certificate(der);
  keptRecord(sha256).node = node;
  return node;
}
