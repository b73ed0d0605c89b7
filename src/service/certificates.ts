// Where the API's serving pair comes from: a pluggable certificate store (a generated pair in a directory, followed PEM files — given or mounted by cert-manager; Kubernetes Secrets in src/service/kubernetes-mode.ts).
import { watch, type FSWatcher } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TLS_FILES_POLL_INTERVAL_MS, TLS_FILES_SETTLE_MS } from './constants.js';
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
  /**
   * Stores that learn of a new pair themselves (watched files, a watched Secret) call `listener`
   * with it, and `onError` when a changed pair cannot be read (a half-written update: the pair in
   * use stays); returns the unsubscribe.
   */
  watch?(listener: (next: ServingTls) => void, onError?: (err: unknown) => void): () => void;
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

/** Whether `dir` holds a serving pair (`tls.crt` and `tls.key`, as a cert-manager Secret volume does). */
export async function hasMountedPair(dir: string): Promise<boolean> {
  const present = (file: string) => access(join(dir, file)).then(() => true, () => false);
  return (await present(SERVING_CERT_FILE)) && (await present(SERVING_KEY_FILE));
}

/**
 * A pair in PEM files (`--tls-cert` and `--tls-key`; `tls.crt` and `tls.key` mounted at --tls-dir):
 * read on each load, and followed as it changes — the directories holding the files are watched
 * (an update renames files into place, the kubelet renames a symlink: a watch on the file itself
 * would keep the replaced one) and the pair is read again every poll interval; the pair read is
 * handed to the listener, which serves it when it differs. A pair replaced early (a key
 * compromise) is served within seconds, not only when the old one nears its expiry.
 */
export class PemFilesCertificateStore implements CertificateStore {
  readonly description: string;
  readonly #certFile: string;
  readonly #keyFile: string;

  /** `description` names the store in logs. */
  constructor(certFile: string, keyFile: string, description = `files:${certFile},${keyFile}`) {
    this.#certFile = certFile;
    this.#keyFile = keyFile;
    this.description = description;
  }

  load(): Promise<ServingTls> {
    return loadTlsFiles(this.#certFile, this.#keyFile);
  }

  watch(listener: (next: ServingTls) => void, onError?: (err: unknown) => void): () => void {
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
        }, (err: unknown) => {
          if (!stopped) onError?.(err);
        })
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
      settle = setTimeout(readOnce, TLS_FILES_SETTLE_MS);
      settle.unref();
    };
    const watchers: FSWatcher[] = [];
    for (const dir of new Set([dirname(this.#certFile), dirname(this.#keyFile)])) {
      try {
        const watcher = watch(dir, { persistent: false }, reread);
        watcher.on('error', () => watcher.close());
        watchers.push(watcher);
      } catch {
        // Not watchable (permissions, an unusual file system): the poll still notices.
      }
    }
    const poll = setInterval(reread, TLS_FILES_POLL_INTERVAL_MS);
    poll.unref();
    return () => {
      stopped = true;
      clearTimeout(settle);
      clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    };
  }
}

/** The pair a cert-manager Certificate's Secret volume mounts at `dir` (`/certs/tls.crt`, `/certs/tls.key`, where the peer read it). */
export class MountedPairCertificateStore extends PemFilesCertificateStore {
  constructor(dir: string) {
    super(join(dir, SERVING_CERT_FILE), join(dir, SERVING_KEY_FILE), `mounted:${dir}`);
  }
}
