// Configured trust stores first, built-in ones (AWS Signer's roots) for the names the configuration lacks.
import type { X509Certificate } from '@peculiar/x509';
import type { GetCertificatesOptions, TrustStoreProvider, TrustStoreType } from './types.js';

/** A provider that can tell whether it defines a store at all (valid or not). */
export interface TrustStoreLookup extends TrustStoreProvider {
  has(type: TrustStoreType, name: string): boolean | Promise<boolean>;
}

/**
 * A configured store wins even when it is invalid (its error is reported, never papered over);
 * a built-in answers only for a name the configuration does not define.
 */
export class FallbackTrustStore implements TrustStoreProvider {
  constructor(
    private readonly configured: TrustStoreLookup,
    private readonly builtin: TrustStoreLookup,
  ) {}

  async getCertificates(type: TrustStoreType, name: string, options?: GetCertificatesOptions): Promise<X509Certificate[]> {
    if ((await this.builtin.has(type, name)) && !(await this.configured.has(type, name))) return this.builtin.getCertificates(type, name, options);
    return this.configured.getCertificates(type, name, options);
  }
}
