// Serving-certificate rotation: before the pair in use expires, ask its store again and swap the new pair into the listener.
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import type { CertificateStore } from './certificates.js';
import { TLS_MIN_VERSION, TLS_RENEW_BEFORE_MS, TLS_RENEW_CHECK_INTERVAL_MS } from './constants.js';
import type { ServingTls } from './tls.js';

export interface TlsRotationOptions {
  store: CertificateStore;
  server: HttpsServer;
  /** The pair the server serves now. */
  current: ServingTls;
  logger: Logger;
  checkIntervalMs?: number;
  renewBeforeMs?: number;
  now?: () => Date;
}

export interface TlsRotation {
  /** The pair served now. */
  current(): ServingTls;
  /** Check once now (what the timer does); resolves when done. */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Check every `checkIntervalMs` whether the pair expires within `renewBeforeMs`; if so load it
 * from the store again and, when the store gave another certificate, serve it on new connections
 * (established ones keep theirs). A failed renewal is logged and tried again on the next check.
 * A pair the store pushes (CertificateStore.watch: followed files, a watched Secret) is served at
 * once the same way; one it cannot read, or that the server cannot use, is logged and the pair in
 * use stays.
 */
export function startTlsRotation(options: TlsRotationOptions): TlsRotation {
  const renewBeforeMs = options.renewBeforeMs ?? TLS_RENEW_BEFORE_MS;
  const now = options.now ?? (() => new Date());
  let current = options.current;
  let running: Promise<void> | undefined;

  const serve = (next: ServingTls): void => {
    if (next.cert === current.cert && next.key === current.key) return;
    // A new context starts from Node's defaults: the floor is set again.
    options.server.setSecureContext({ key: next.key, cert: next.cert, minVersion: TLS_MIN_VERSION });
    current = next;
    options.logger.info({ store: options.store.description, notAfter: next.notAfter.toISOString() }, 'renewed the serving certificate');
  };
  const checkOnce = async (): Promise<void> => {
    const at = now();
    if (current.notAfter.getTime() - at.getTime() > renewBeforeMs) return;
    try {
      serve(await options.store.load(at));
    } catch (err) {
      options.logger.error({ err, store: options.store.description }, 'cannot renew the serving certificate');
    }
  };
  const unwatch = options.store.watch?.(
    (next) => {
      try {
        serve(next);
      } catch (err) {
        // A certificate and a key that do not match: the update is half done, or wrong.
        options.logger.error({ err, store: options.store.description }, 'the store holds a pair the server cannot use; keeping the current one');
      }
    },
    (err) => options.logger.warn({ err, store: options.store.description }, 'cannot read the changed serving pair; the pair in use stays'),
  );
  const check = (): Promise<void> => (running ??= checkOnce().finally(() => (running = undefined)));

  const timer = setInterval(() => void check(), options.checkIntervalMs ?? TLS_RENEW_CHECK_INTERVAL_MS);
  timer.unref();
  return {
    current: () => current,
    check,
    stop: () => {
      clearInterval(timer);
      unwatch?.();
    },
  };
}
