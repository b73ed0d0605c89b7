// notation's trust store on disk: `{configDir}/truststore/x509/{ca,signingAuthority,tsa}/<name>/*` (PEM or DER files).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { X509Certificate } from '@peculiar/x509';
import { readFileLimited } from '../../common/index.js';
import { NotaryError, recodeInvalidCertificate } from '../errors.js';
import { parseCertificateBundle } from '../../pki/index.js';
import {
  MAX_TRUST_STORE_CERTIFICATES,
  MAX_TRUST_STORE_FILES,
  MAX_TRUST_STORE_FILE_BYTES,
  TRUST_STORE_DIR,
  X509_TRUST_STORE_DIR,
} from './constants.js';
import type { GetCertificatesOptions, TrustStoreProvider, TrustStoreType } from './types.js';
import { checkTrustStoreReference, validateTrustStoreCertificates } from './validate.js';

export interface FileTrustStoreOptions {
  maxFiles?: number;
  maxFileBytes?: number;
  maxCertificates?: number;
}

/**
 * Reads named stores from notation's directory layout on every call (the files are the source of
 * truth; callers cache). Symlinks, sub-directories, non-certificate files, leaf certificates in
 * `ca`/`signingAuthority` stores, non-root certificates in `tsa` stores and empty stores are errors,
 * as in notation-go.
 */
export class FileTrustStore implements TrustStoreProvider {
  /** `{configDir}/truststore/x509`. */
  readonly root: string;
  private readonly limits: Required<FileTrustStoreOptions>;

  constructor(configDir: string, options: FileTrustStoreOptions = {}) {
    this.root = join(configDir, TRUST_STORE_DIR, X509_TRUST_STORE_DIR);
    this.limits = {
      maxFiles: options.maxFiles ?? MAX_TRUST_STORE_FILES,
      maxFileBytes: options.maxFileBytes ?? MAX_TRUST_STORE_FILE_BYTES,
      maxCertificates: options.maxCertificates ?? MAX_TRUST_STORE_CERTIFICATES,
    };
  }

  /** Directory of one named store. */
  storePath(type: TrustStoreType, name: string): string {
    return join(this.root, type, name);
  }

  /** Whether the store's directory entry exists at all (valid or not); an unreadable parent counts as existing, so its error is reported. */
  async has(type: TrustStoreType, name: string): Promise<boolean> {
    checkTrustStoreReference(type, name);
    try {
      await lstat(this.storePath(type, name));
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return !(code === 'ENOENT' || code === 'ENOTDIR');
    }
  }

  async getCertificates(type: TrustStoreType, name: string, options: GetCertificatesOptions = {}): Promise<X509Certificate[]> {
    checkTrustStoreReference(type, name);
    const store = `trust store "${name}" of type "${type}"`;
    const path = this.storePath(type, name);
    options.signal?.throwIfAborted();
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
        throw new NotaryError(
          'INVALID_TRUST_STORE',
          `the ${store} does not exist: create the directory ${path} and put its root certificate(s) in it`,
          { cause: err },
        );
      }
      throw new NotaryError('INVALID_TRUST_STORE', `failed to access the ${store} at ${path}: ${err.message}`, { cause: err });
    });
    if (info.isSymbolicLink() || !info.isDirectory()) {
      throw new NotaryError('INVALID_TRUST_STORE', `the ${store} at ${path} is not a regular directory (symlinks are not supported)`);
    }
    const entries = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.length > this.limits.maxFiles) {
      throw new NotaryError('INVALID_TRUST_STORE', `the ${store} has ${entries.length} files, more than the limit of ${this.limits.maxFiles}`);
    }
    const certificates: X509Certificate[] = [];
    for (const entry of entries) {
      options.signal?.throwIfAborted();
      const source = `trusted certificate file "${entry.name}" in ${store}`;
      if (entry.isDirectory() || entry.isSymbolicLink() || !entry.isFile()) {
        throw new NotaryError(
          'INVALID_TRUST_STORE',
          `${source} is not a regular file (directories or symlinks are not supported); move it out of ${path}`,
        );
      }
      const bytes = await readBoundedFile(join(path, entry.name), this.limits.maxFileBytes, source);
      const parsed = recodeInvalidCertificate('INVALID_TRUST_STORE', () =>
        parseCertificateBundle(bytes, { source, maxBytes: this.limits.maxFileBytes, maxCertificates: this.limits.maxCertificates }),
      );
      validateTrustStoreCertificates(type, parsed, source);
      certificates.push(...parsed);
      if (certificates.length > this.limits.maxCertificates) {
        throw new NotaryError('INVALID_TRUST_STORE', `the ${store} holds more than ${this.limits.maxCertificates} certificates`);
      }
    }
    if (certificates.length === 0) {
      throw new NotaryError('INVALID_TRUST_STORE', `no x509 certificates were found in the ${store}; put its root certificate(s) in ${path}`);
    }
    return certificates;
  }
}

/** Reads a regular file without following a symlink put there after the directory listing, refusing oversize files. */
async function readBoundedFile(path: string, maxBytes: number, source: string): Promise<Uint8Array> {
  return readFileLimited(
    path,
    maxBytes,
    (problem) => {
      switch (problem.reason) {
        case 'unreadable':
          return new NotaryError('INVALID_TRUST_STORE', `failed to read the ${source}: ${(problem.cause as Error).message}`, { cause: problem.cause });
        case 'not-a-file':
          return new NotaryError('INVALID_TRUST_STORE', `${source} is not a regular file`);
        case 'too-large':
          return new NotaryError('INVALID_TRUST_STORE', `${source} is ${problem.size} bytes, over the ${maxBytes}-byte limit for certificate files`);
      }
    },
    { noFollow: true },
  );
}
