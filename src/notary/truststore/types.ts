// Trust store kinds and names of trust-store-trust-policy.md, and the provider interface the verifier reads certificates through.
import type { X509Certificate } from '@peculiar/x509';
import type { SigningScheme } from '../types.js';

/** `ca`: CA roots for notary.x509; `signingAuthority`: Signing Authority roots; `tsa`: timestamping roots. */
export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

/** A named store as a trust policy statement references it (`ca:acme-rockets`). */
export interface TrustStoreReference {
  type: TrustStoreType;
  name: string;
}

/** notation's rule for named store names (they are directory names): `[a-zA-Z0-9_.-]+`. */
export const TRUST_STORE_NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;

export function isTrustStoreType(value: string): value is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(value);
}

/** Valid store name; `.` and `..` match notation's pattern but would leave the store directory, so they are refused. */
export function isValidTrustStoreName(name: string): boolean {
  return TRUST_STORE_NAME_PATTERN.test(name) && name !== '.' && name !== '..';
}

/** The store type whose certificates authenticate a signature of this signing scheme. */
export function trustStoreTypeForSigningScheme(scheme: SigningScheme): 'ca' | 'signingAuthority' {
  return scheme === 'notary.x509.signingAuthority' ? 'signingAuthority' : 'ca';
}

export interface GetCertificatesOptions {
  signal?: AbortSignal;
}

/** Where the verifier gets trusted certificates: notation's directory layout or the service's TrustStore resources. */
export interface TrustStoreProvider {
  /** The certificates of one named store; throws NotaryError INVALID_TRUST_STORE when it is missing, empty or invalid. */
  getCertificates(type: TrustStoreType, name: string, options?: GetCertificatesOptions): Promise<X509Certificate[]>;
}
