// Trusted identity of an AWS Signer signature: the trust policy's signing-profile ARNs against the signature's profile version (and alias).
import { ALIASED_SIGNING_PROFILES_RESOURCE, ALIASES_RESOURCE, SIGNING_PROFILES_RESOURCE, equalFold, parseArn } from './arn.js';
import { REASON_TRUSTED_IDENTITY_FAILURE } from './constants.js';

/** What a signature says about who signed it. */
export interface SignerIdentity {
  /** `com.amazonaws.signer.signingProfileVersion`: `arn:…:/signing-profiles/<name>/<version>`. */
  profileVersionArn: string;
  /** `com.amazonaws.signer.signingProfileAlias`, when the signature carries one. */
  profileAliasArn?: string;
}

export interface IdentityResult {
  success: boolean;
  reason: string;
}

/** Does one trusted identity match the signature? Identities that are not Signer ARNs of a known resource never match. */
function matches(identity: string, signer: SignerIdentity): boolean {
  const arn = parseArn(identity);
  if (!arn || arn.service !== 'signer') return false;
  if (arn.resource.startsWith(SIGNING_PROFILES_RESOURCE)) {
    // `/signing-profiles/<name>` names every version of the profile; `/signing-profiles/<name>/<version>` one version.
    const segments = arn.resource.split('/').length;
    if (segments === 3) {
      const lastSlash = signer.profileVersionArn.lastIndexOf('/');
      return lastSlash !== -1 && equalFold(signer.profileVersionArn.slice(0, lastSlash), identity);
    }
    return segments === 4 && equalFold(signer.profileVersionArn, identity);
  }
  if (arn.resource.startsWith(ALIASED_SIGNING_PROFILES_RESOURCE)) return equalFold(signer.profileVersionArn, identity);
  if (arn.resource.startsWith(ALIASES_RESOURCE)) return signer.profileAliasArn !== undefined && equalFold(signer.profileAliasArn, identity);
  return false;
}

/**
 * SIGNATURE_VERIFIER.TRUSTED_IDENTITY as the AWS Signer plugin decides it: the first matching
 * identity wins; identities of other kinds (x509.subject, other services) are ignored.
 */
export function verifySignerIdentity(trustedIdentities: readonly string[], signer: SignerIdentity): IdentityResult {
  const match = trustedIdentities.find((identity) => matches(identity, signer));
  if (match === undefined) return { success: false, reason: REASON_TRUSTED_IDENTITY_FAILURE };
  return { success: true, reason: `Signature publisher matched ${JSON.stringify(match)} trusted identity.` };
}
