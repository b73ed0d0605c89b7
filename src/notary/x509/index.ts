// X.509 for Notary: the certificate requirements of signing and timestamping chains, trust anchors and trusted identity matching (parsing and facts are in src/pki).
export { validateCodeSigningChain, validateTimestampingChain, type ChainValidationOptions } from './chain.js';
export { UNTRUSTED_SIGNER_MESSAGE, verifyChainToTrustAnchors, verifyDerChainToTrustAnchors } from './trust.js';
export { parseDistinguishedName } from './dn.js';
export {
  TRUSTED_IDENTITY_WILDCARD,
  UNTRUSTED_IDENTITY_MESSAGE,
  X509_SUBJECT_PREFIX,
  matchTrustedIdentities,
  parseTrustedIdentity,
  type TrustedIdentity,
} from './identity.js';
