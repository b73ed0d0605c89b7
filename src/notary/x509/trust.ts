// Authenticity: does a signature's certificate chain lead to a certificate of the named trust stores.
import type { X509Certificate } from '@peculiar/x509';
import { NotaryError } from '../errors.js';
import { findTrustAnchor, nodeCertificate } from '../../pki/index.js';

/** notation's message when the chain does not lead to a trusted certificate. */
export const UNTRUSTED_SIGNER_MESSAGE = 'signature is not produced by a trusted signer';

function noAnchorsError(): NotaryError {
  return new NotaryError(
    'UNTRUSTED_SIGNER',
    `${UNTRUSTED_SIGNER_MESSAGE}: no trusted certificates are found to verify authenticity; add the signer's root certificate to a trust store the trust policy names`,
  );
}

function notInTrustStoresError(rootSubject: string | undefined): NotaryError {
  return new NotaryError(
    'UNTRUSTED_SIGNER',
    `${UNTRUSTED_SIGNER_MESSAGE}: no certificate of the chain${rootSubject !== undefined ? ` (root "${rootSubject}")` : ''} is in the trust stores named by the trust policy`,
  );
}

/**
 * Returns the trust store certificate that the chain leads to. As notation-core-go's
 * VerifyAuthenticity, a chain is trusted when any of its certificates is byte-for-byte a trust
 * anchor (normally the root; a pinned intermediate or a self-signed leaf also counts). The chain's
 * own validity (each certificate issued by the next) is validateCodeSigningChain's job. Throws
 * UNTRUSTED_SIGNER.
 */
export function verifyChainToTrustAnchors(chain: readonly X509Certificate[], anchors: readonly X509Certificate[]): X509Certificate {
  if (anchors.length === 0) throw noAnchorsError();
  const anchor = findTrustAnchor(
    chain.map((certificate) => new Uint8Array(certificate.rawData)),
    anchors,
  );
  if (anchor) return anchor;
  throw notInTrustStoresError(chain[chain.length - 1]?.subject);
}

/**
 * verifyChainToTrustAnchors on the chain's DER bytes, before any certificate is parsed (only the
 * root, with OpenSSL, to name it in the message). Throws UNTRUSTED_SIGNER.
 */
export function verifyDerChainToTrustAnchors(chain: readonly Uint8Array[], anchors: readonly X509Certificate[]): X509Certificate {
  if (anchors.length === 0) throw noAnchorsError();
  const anchor = findTrustAnchor(chain, anchors);
  if (anchor) return anchor;
  throw notInTrustStoresError(rootSubjectForMessage(chain[chain.length - 1]));
}

/** The root's subject as RFC 4514-like text for a message; OpenSSL's parse is the cheap one. */
function rootSubjectForMessage(der: Uint8Array | undefined): string | undefined {
  if (!der) return undefined;
  try {
    return nodeCertificate(der).subject.split('\n').join(', ');
  } catch {
    return '<unreadable name>';
  }
}
