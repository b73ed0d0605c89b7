// Gathers the trusted certificates of the stores a trust policy statement names, for one store type.
import type { X509Certificate } from '@peculiar/x509';
import type { GetCertificatesOptions, TrustStoreProvider, TrustStoreReference, TrustStoreType } from './types.js';

/**
 * The certificates of every named store of `type` among `trustStores`, merged in order (the spec:
 * "create a list of trusted certificates by merging the trusted certificate list of each trust
 * store"). An empty result means the statement names no store of that type. Errors of a store
 * propagate (INVALID_TRUST_STORE).
 */
export async function collectTrustedCertificates(
  provider: TrustStoreProvider,
  trustStores: readonly TrustStoreReference[],
  type: TrustStoreType,
  options: GetCertificatesOptions = {},
): Promise<X509Certificate[]> {
  const certificates: X509Certificate[] = [];
  for (const store of trustStores) {
    if (store.type !== type) continue;
    certificates.push(...(await provider.getCertificates(store.type, store.name, options)));
  }
  return certificates;
}
