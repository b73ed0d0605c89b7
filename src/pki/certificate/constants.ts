// Object identifiers, algorithm allow-lists and bounds of X.509 certificates as imgverify reads them (RFC 5280, Go's x509, the Notary requirements).

/** Extended key usage purposes (RFC 5280 4.2.1.12) that certificate requirements name. */
export const EKU_OID = {
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
} as const;

/** Key usage bits (RFC 5280 4.2.1.3) as @peculiar/x509's KeyUsageFlags numbers them. */
export const KEY_USAGE = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
  encipherOnly: 128,
  decipherOnly: 256,
} as const;

/**
 * Certificate signature algorithms accepted on any certificate of a chain. SHA-1 and MD5 based ones are
 * absent on purpose: the spec forbids SHA1WithRSA and ECDSAWithSHA1, and Go's x509 (notation) refuses MD5.
 */
export const ALLOWED_CERTIFICATE_SIGNATURE_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.11', 'sha256WithRSAEncryption'],
  ['1.2.840.113549.1.1.12', 'sha384WithRSAEncryption'],
  ['1.2.840.113549.1.1.13', 'sha512WithRSAEncryption'],
  ['1.2.840.10045.4.3.2', 'ecdsa-with-SHA256'],
  ['1.2.840.10045.4.3.3', 'ecdsa-with-SHA384'],
  ['1.2.840.10045.4.3.4', 'ecdsa-with-SHA512'],
  ['1.3.101.112', 'Ed25519'],
]);

/** RSASSA-PSS certificate signatures are accepted with these hash functions only. */
export const RSASSA_PSS_OID = '1.2.840.113549.1.1.10';
export const PSS_ALLOWED_HASHES: ReadonlyMap<string, string> = new Map([
  ['2.16.840.1.101.3.4.2.1', 'SHA-256'],
  ['2.16.840.1.101.3.4.2.2', 'SHA-384'],
  ['2.16.840.1.101.3.4.2.3', 'SHA-512'],
]);

/** Well-known names of weak algorithms, for messages. */
export const WEAK_CERTIFICATE_SIGNATURE_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['1.2.840.113549.1.1.5', 'sha1WithRSAEncryption'],
  ['1.2.840.10045.4.1', 'ecdsa-with-SHA1'],
  ['1.2.840.113549.1.1.4', 'md5WithRSAEncryption'],
  ['1.2.840.113549.1.1.2', 'md2WithRSAEncryption'],
  ['1.2.840.10040.4.3', 'dsa-with-sha1'],
]);

/** OpenSSL curve names of P-256, P-384 and P-521, with their sizes. */
export const ALLOWED_EC_CURVES: ReadonlyMap<string, number> = new Map([
  ['prime256v1', 256],
  ['secp384r1', 384],
  ['secp521r1', 521],
]);

/** A certificate bundle (trust store file, caBundle, chain file) larger than this is refused. */
export const MAX_CERTIFICATE_BUNDLE_BYTES = 4 * 1024 * 1024;
/** Certificates read from one bundle at most. */
export const MAX_CERTIFICATES_PER_BUNDLE = 1000;

/**
 * Distinct certificates whose parses are kept per process (by the SHA-256 of their DER). A cluster
 * sees few signer chains, but every image carries one: without the cache each verification parsed
 * every certificate of its chain a dozen times.
 */
export const MAX_CACHED_CERTIFICATES = 1000;

/**
 * RSA public keys beyond these are refused on every certificate (leaf, CA, trust anchor, TSA, OCSP
 * responder) before any signature is checked with them: a 3070-bit exponent makes one check ~25 ms.
 * Go's x509 parser refuses exponents that do not fit 32 bits; 8192 bits is twice the largest
 * modulus the Notary spec allows a leaf.
 */
export const MAX_RSA_PUBLIC_EXPONENT = 2n ** 32n;
export const MAX_RSA_MODULUS_BITS = 8192;
