// Layout and limits of notation's file trust store.

/** `{configDir}/truststore/x509/{type}/{name}/` as notation-go's dir package lays it out. */
export const TRUST_STORE_DIR = 'truststore';
export const X509_TRUST_STORE_DIR = 'x509';

/** Files in one named store at most; a store is a handful of roots. */
export const MAX_TRUST_STORE_FILES = 256;
/** Size of one certificate file at most (a large CA bundle is a few hundred KiB). */
export const MAX_TRUST_STORE_FILE_BYTES = 4 * 1024 * 1024;
/** Certificates in one named store at most, across its files. */
export const MAX_TRUST_STORE_CERTIFICATES = 1000;
