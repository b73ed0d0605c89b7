// The log line an operator reads per image: what was asked, what was pinned, the verdict, the signature that passed, cache and policy.
import { ATTRIBUTE_SIGNING_PROFILE_VERSION } from '../aws/index.js';
import type { TrustPolicyEntry } from '../config/index.js';
import { notaryEvidence, type SignatureVerification } from '../notary/index.js';
import type { ImageOutcome } from './verification.js';

/** Who signed: the AWS Signer signing profile version ARN when the signature names one, else the leaf certificate's subject. */
function signer(signature: SignatureVerification): string | undefined {
  const arn = signature.extendedAttributes?.find((attribute) => attribute.key === ATTRIBUTE_SIGNING_PROFILE_VERSION)?.value;
  return typeof arn === 'string' ? arn : signature.certificateChain?.[0];
}

/**
 * The fields of one image's `image` log line (info): reference, container, resolved digest, verdict
 * (`verified`, `failed` with its code, `error`), cache `hit` or `miss`, the signature that passed
 * (its manifest digest and signer) and the trust policy with the generation it was loaded in.
 */
export function imageLogFields(outcome: ImageOutcome, trustPolicy: TrustPolicyEntry): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    image: outcome.image.imageString,
    container: outcome.image.containerName,
    verdict: outcome.status,
    trustPolicy: trustPolicy.name,
    generation: trustPolicy.generation,
  };
  if (outcome.status === 'error') return fields;
  if (outcome.digest !== undefined) fields.digest = outcome.digest;
  if (outcome.cached !== undefined) fields.cache = outcome.cached ? 'hit' : 'miss';
  if (outcome.status === 'failed') return { ...fields, code: outcome.code };
  const signature = notaryEvidence(outcome.verdict)?.signature;
  if (signature) fields.signature = { digest: signature.signatureDigest, signer: signer(signature) };
  return fields;
}
