// Where the API's serving pair comes from: a pluggable certificate store (a directory, PEM files; Kubernetes Secrets in src/service/kubernetes-mode.ts).
import { ensureGeneratedTls, loadTlsFiles, type ServingTls } from './tls.js';

/**
 * A source of the serving certificate and key. `load()` gives the pair to serve now; rotation
 * calls it again when the pair in use nears its expiry, so a store that can renew (generates,
 * or reads what cert-manager rotated) hands the renewed pair then. Errors are ServiceErrors.
 */
export interface CertificateStore {
  /** e.g. `dir:/tmp/imgverify-serving-certs`, for logs. */
  readonly description: string;
  load(now?: Date): Promise<ServingTls>;
  /** Stores that learn of a new pair themselves (a watched Secret) call `listener` with it; returns the unsubscribe. */
  watch?(listener: (next: ServingTls) => void): () => void;
}

/**
 * A generated self-signed CA and serving pair kept in a directory (ca.crt, ca.key, tls.crt,
 * tls.key, as a Kubernetes TLS Secret names them): reused across restarts, renewed before expiry.
 */
export class DirectoryCertificateStore implements CertificateStore {
  readonly description: string;
  readonly #certDir: string;
  readonly #hosts: readonly string[];

  constructor(certDir: string, hosts: readonly string[]) {
    this.#certDir = certDir;
    this.#hosts = hosts;
    this.description = `dir:${certDir}`;
  }

  load(now?: Date): Promise<ServingTls> {
    return ensureGeneratedTls({ certDir: this.#certDir, hosts: this.#hosts, ...(now ? { now } : {}) });
  }
}

/** A pair given as PEM files (`--tls-cert`, `--tls-key`), read again on each load. */
export class PemFilesCertificateStore implements CertificateStore {
  readonly description: string;
  readonly #certFile: string;
  readonly #keyFile: string;

  constructor(certFile: string, keyFile: string) {
    this.#certFile = certFile;
    this.#keyFile = keyFile;
    this.description = `files:${certFile},${keyFile}`;
  }

  load(): Promise<ServingTls> {
    return loadTlsFiles(this.#certFile, this.#keyFile);
  }
}
