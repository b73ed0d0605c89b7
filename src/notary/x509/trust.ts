// Authenticity: does a signature's certificate chain lead to a certificate of the named trust stores.
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual } from '../../common/index.js';
import { NotaryError } from '../errors.js';

/** notation's message when the chain does not lead to a trusted certificate. */
export const UNTRUSTED_SIGNER_MESSAGE = 'signature is not produced by a trusted signer';

/**
 * Returns the trust store certificate that the chain leads to. As notation-core-go's
 * VerifyAuthenticity, a chain is trusted when any of its certificates is byte-for-byte a trust
 * anchor (normally the root; a pinned intermediate or a self-signed leaf also counts). The chain's
 * own validity (each certificate issued by the next) is validateCodeSigningChain's job. Throws
 * UNTRUSTED_SIGNER.
 */
export function verifyChainToTrustAnchors(chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate {
  if (anchors.length === 0) {
    throw new NotaryError(
      'UNTRUSTED_SIGNER',
      `${UNTRUSTED_SIGNER_MESSAGE}: no trusted certificates are found to verify authenticity; add the signer's root certificate to a trust store the trust policy names`,
    );
  }
  const anchorBytes = anchors.map((anchor) => new Uint8Array(anchor.rawData));
  for (const certificate of chain) {
    const bytes = new Uint8Array(certificate.rawData);
    const index = anchorBytes.findIndex((anchor) => bytesEqual(anchor, bytes));
    if (index >= 0) return anchors[index] as X509Certificate;
  }
  const root = chain[chain.length - 1];
  throw new NotaryError(
    'UNTRUSTED_SIGNER',
    `${UNTRUSTED_SIGNER_MESSAGE}: no certificate of the chain${root ? ` (root "${root.subject}")` : ''} is in the trust stores named by the trust policy`,
  );
}
