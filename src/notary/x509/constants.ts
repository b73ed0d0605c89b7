// Key usages, key sizes and limits of the Notary certificate requirements (signature-specification.md); the OIDs and bounds any X.509 reader needs are in src/pki.
import { EKU_OID, KEY_USAGE } from '../../pki/index.js';

/**
 * Purposes a code-signing leaf MUST NOT carry: the spec's list (anyExtendedKeyUsage, serverAuth,
 * clientAuth, emailProtection, timeStamping) plus ocspSigning, which notation-core-go also rejects.
 */
export const CODE_SIGNING_EXCLUDED_EKUS: ReadonlyMap<string, string> = new Map([
  [EKU_OID.anyExtendedKeyUsage, 'anyExtendedKeyUsage'],
  [EKU_OID.serverAuth, 'serverAuth'],
  [EKU_OID.clientAuth, 'clientAuth'],
  [EKU_OID.emailProtection, 'emailProtection'],
  [EKU_OID.timeStamping, 'timeStamping'],
  [EKU_OID.ocspSigning, 'ocspSigning'],
]);

/** Key usages a leaf MUST NOT have besides digitalSignature (nonRepudiation is allowed). */
export const LEAF_FORBIDDEN_KEY_USAGES: readonly (keyof typeof KEY_USAGE)[] = [
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Leaf key sizes of the spec's algorithm selection table. */
export const ALLOWED_RSA_KEY_BITS: readonly number[] = [2048, 3072, 4096];

/** No legitimate chain is longer; a longer one is refused before any signature work. */
export const MAX_CERTIFICATE_CHAIN_LENGTH = 16;
/** Trusted identity strings whose parses are kept (a trust policy names a handful; bounded all the same). */
export const MAX_CACHED_TRUSTED_IDENTITIES = 1000;
