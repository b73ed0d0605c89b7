// Authenticity: the chain meets the certificate requirements, leads to the statement's trust stores, and the leaf is a trusted identity.
import type { X509Certificate } from '@peculiar/x509';
import { NotaryError } from '../errors.js';
import { collectTrustedCertificates, trustStoreTypeForSigningScheme, type TrustStoreProvider, type TrustStoreType } from '../truststore/index.js';
import type { SigningScheme } from '../types.js';
import { certificateFacts, signatureVerifiesWith } from '../../pki/index.js';
import { matchTrustedIdentities, validateCodeSigningChain, verifyDerChainToTrustAnchors } from '../x509/index.js';
import type { AppliedPolicy } from './policy.js';
import type { Pacer } from './pace.js';

/** Certificates of every named store of `type` in the statement, merged (spec: union of the stores). */
export function loadTrustAnchors(
  trustStore: TrustStoreProvider,
  policy: AppliedPolicy,
  type: TrustStoreType,
  signal?: AbortSignal,
): Promise<X509Certificate[]> {
  return collectTrustedCertificates(trustStore, policy.trustStores, type, { signal });
}

/**
 * Compare first: the chain's DER bytes must contain a trust anchor of the statement's stores
 * (throws UNTRUSTED_SIGNER or INVALID_TRUST_STORE) before any of its certificates is parsed or a
 * signature checked, so a chain that cannot be trusted costs hashes, not parses.
 */
export async function verifyChainAnchored(
  chain: readonly Uint8Array[],
  scheme: SigningScheme,
  policy: AppliedPolicy,
  trustStore: TrustStoreProvider,
  signal?: AbortSignal,
): Promise<void> {
  const type = trustStoreTypeForSigningScheme(scheme);
  const anchors = await loadTrustAnchors(trustStore, policy, type, signal);
  if (anchors.length === 0) {
    throw new NotaryError(
      'UNTRUSTED_SIGNER',
      `no trusted certificates are found to verify authenticity: trust policy statement "${policy.name}" names no "${type}" trust store with certificates, which signing scheme ${scheme} needs`,
    );
  }
  verifyDerChainToTrustAnchors(chain, anchors);
}

/** Signature checks the requirements make of a chain: each certificate by its parent and by itself. */
export function chainSignatureChecks(chain: readonly X509Certificate[]): number {
  return 2 * chain.length - 1;
}

/**
 * The certificate requirements of an anchored chain (throws INVALID_CERTIFICATE_CHAIN): run only
 * after verifyChainAnchored. The signatures are checked first, `pacer` yielding between them (the
 * results are kept with the certificates' facts), so the synchronous rules that follow only read them.
 */
export async function verifyChainRequirements(chain: readonly X509Certificate[], pacer: Pacer): Promise<void> {
  const facts = chain.map((certificate) => certificateFacts(certificate));
  for (const [index, certificate] of facts.entries()) {
    signatureVerifiesWith(certificate, certificate);
    await pacer.step();
    const parent = facts[index + 1];
    if (parent) {
      signatureVerifiesWith(certificate, parent);
      await pacer.step();
    }
  }
  validateCodeSigningChain(chain);
}

/** `trustedIdentities` against the leaf's subject; throws UNTRUSTED_IDENTITY. */
export function verifyTrustedIdentity(leaf: X509Certificate, policy: AppliedPolicy): void {
  matchTrustedIdentities(leaf, policy.trustedIdentities);
}
