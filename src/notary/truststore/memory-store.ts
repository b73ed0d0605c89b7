// Trust stores held in memory, built from PEM bundles: the service's TrustStore resources (spec.trustStoreName, spec.type, spec.caBundle).
import type { X509Certificate } from '@peculiar/x509';
import { NotaryError, recodeInvalidCertificate } from '../errors.js';
import { parseCertificateBundle } from '../../pki/index.js';
import { MAX_TRUST_STORE_CERTIFICATES, MAX_TRUST_STORE_FILE_BYTES } from './constants.js';
import type { TrustStoreLookup } from './fallback.js';
import type { GetCertificatesOptions, TrustStoreProvider, TrustStoreType } from './types.js';
import { checkTrustStoreReference, validateTrustStoreCertificates } from './validate.js';

/** One named store as a PEM (or DER) bundle. */
export interface TrustStoreBundle {
  type: TrustStoreType;
  name: string;
  /** PEM text (or DER bytes) of the store's certificates. */
  caBundle: string | Uint8Array;
}

/** Named stores validated with the same rules as FileTrustStore when they are set. */
export class MemoryTrustStore implements TrustStoreProvider {
  private readonly stores = new Map<string, readonly X509Certificate[]>();

  /** A store holding every bundle; throws INVALID_TRUST_STORE on the first invalid one. */
  static fromBundles(bundles: Iterable<TrustStoreBundle>): MemoryTrustStore {
    const store = new MemoryTrustStore();
    for (const bundle of bundles) store.set(bundle);
    return store;
  }

  /**
   * The same stores, parsed and validated when one of them is first asked for (an invalid bundle throws
   * then): built-in stores (AWS Signer's roots) cost nothing to a verification that never names them.
   */
  static onFirstUse(bundles: readonly TrustStoreBundle[]): TrustStoreLookup {
    const names = new Set(bundles.map((bundle) => key(bundle.type, bundle.name)));
    let store: MemoryTrustStore | undefined;
    return {
      has: (type, name) => names.has(key(type, name)),
      getCertificates: async (type, name, options) => (store ??= MemoryTrustStore.fromBundles(bundles)).getCertificates(type, name, options),
    };
  }

  /** Parses, validates and (re)places one named store; throws INVALID_TRUST_STORE and leaves the old one when invalid. */
  set(bundle: TrustStoreBundle): void {
    checkTrustStoreReference(bundle.type, bundle.name);
    const source = `TrustStore "${bundle.name}" of type "${bundle.type}"`;
    const certificates = recodeInvalidCertificate('INVALID_TRUST_STORE', () =>
      parseCertificateBundle(bundle.caBundle, {
        source: `caBundle of ${source}`,
        maxBytes: MAX_TRUST_STORE_FILE_BYTES,
        maxCertificates: MAX_TRUST_STORE_CERTIFICATES,
      }),
    );
    validateTrustStoreCertificates(bundle.type, certificates, `caBundle of ${source}`);
    this.stores.set(key(bundle.type, bundle.name), certificates);
  }

  delete(type: TrustStoreType, name: string): boolean {
    return this.stores.delete(key(type, name));
  }

  has(type: TrustStoreType, name: string): boolean {
    return this.stores.has(key(type, name));
  }

  async getCertificates(type: TrustStoreType, name: string, options: GetCertificatesOptions = {}): Promise<X509Certificate[]> {
    options.signal?.throwIfAborted();
    checkTrustStoreReference(type, name);
    const certificates = this.stores.get(key(type, name));
    if (!certificates) {
      throw new NotaryError(
        'INVALID_TRUST_STORE',
        `the trust store "${name}" of type "${type}" does not exist: create a TrustStore resource with trustStoreName "${name}" and type "${type}"`,
      );
    }
    return [...certificates];
  }
}

function key(type: TrustStoreType, name: string): string {
  return `${type}:${name}`;
}
