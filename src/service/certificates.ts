// Where the API's serving pair comes from: a pluggable certificate store (a directory, PEM files, a mounted cert-manager pair; Kubernetes Secrets in src/service/kubernetes-mode.ts).
import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { TLS_MOUNT_POLL_INTERVAL_MS, TLS_MOUNT_SETTLE_MS } from './constants.js';
import { ensureGeneratedTls, loadTlsFiles, SERVING_CERT_FILE, SERVING_KEY_FILE, type ServingTls } from './tls.js';

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

export interface MountedPairOptions {
  /** Told when a changed pair cannot be read (a half-written update); the pair in use stays. */
  onError?: (err: unknown) => void;
  pollIntervalMs?: number;
}

/** Whether `dir` holds a serving pair (`tls.crt` and `tls.key`, as a cert-manager Secret volume does). */
export async function hasMountedPair(dir: string): Promise<boolean> {
  const present = (file: string) => access(join(dir, file)).then(() => true, () => false);
  return (await present(SERVING_CERT_FILE)) && (await present(SERVING_KEY_FILE));
}

/**
 * A pair mounted at a directory (`/certs/tls.crt`, `/certs/tls.key`, where the peer read it; a
 * cert-manager Certificate's Secret as a volume): read on each load, and followed as it changes —
 * the directory is watched (the kubelet swaps the files by renaming a symlink) and read again
 * every poll interval, and the pair read is handed to the listener, which serves it when it differs.
 */
export class MountedPairCertificateStore implements CertificateStore {
  readonly description: string;
  readonly #dir: string;
  readonly #options: MountedPairOptions;

  constructor(dir: string, options: MountedPairOptions = {}) {
    this.#dir = dir;
    this.#options = options;
    this.description = `mounted:${dir}`;
  }

  load(): Promise<ServingTls> {
    return loadTlsFiles(join(this.#dir, SERVING_CERT_FILE), join(this.#dir, SERVING_KEY_FILE));
  }

  watch(listener: (next: ServingTls) => void): () => void {
    let stopped = false;
    let reading = false;
    let again = false;
    let settle: NodeJS.Timeout | undefined;
    const readOnce = (): void => {
      if (reading) {
        // A change landed while reading (the key, then the certificate): read once more afterwards.
        again = true;
        return;
      }
      reading = true;
      void this.load()
        .then((next) => {
          if (!stopped) listener(next);
        }, (err: unknown) => this.#options.onError?.(err))
        .finally(() => {
          reading = false;
          if (again && !stopped) {
            again = false;
            readOnce();
          }
        });
    };
    // An update writes both files: wait for a quiet moment rather than read the first half.
    const reread = (): void => {
      clearTimeout(settle);
      settle = setTimeout(readOnce, TLS_MOUNT_SETTLE_MS);
      settle.unref();
    };
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(this.#dir, { persistent: false }, reread);
      watcher.on('error', () => watcher?.close());
    } catch {
      // Not watchable (permissions, an unusual file system): the poll still notices.
    }
    const poll = setInterval(reread, this.#options.pollIntervalMs ?? TLS_MOUNT_POLL_INTERVAL_MS);
    poll.unref();
    return () => {
      stopped = true;
      clearTimeout(settle);
      clearInterval(poll);
      watcher?.close();
    };
  }
}
