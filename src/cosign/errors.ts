// Errors of the cosign domain: one class; codes shared with the other schemes where the meaning is the same, cosign's own otherwise.
import { BaseError } from '../common/index.js';
import type { DomainErrorCode } from '../verification/index.js';

/** Codes whose meaning is the Notary verifier's too: one code per meaning across schemes. */
export type SharedCosignErrorCode =
  /** cosign's "no signatures found": no `.sig` tag (or no layer in it). */
  | 'SIGNATURE_NOT_FOUND'
  /** A layer, payload, envelope or annotation that cannot be read as cosign writes it. */
  | 'MALFORMED_SIGNATURE'
  /** The signature does not verify with the key or certificate. */
  | 'INVALID_SIGNATURE'
  /** The signed payload names another image digest (or no in-toto subject has it). */
  | 'TARGET_ARTIFACT_MISMATCH'
  /** The signed payload lacks an annotation the policy requires, or has another value. */
  | 'USER_METADATA_MISMATCH'
  /** The certificate does not chain to the given roots. */
  | 'INVALID_CERTIFICATE_CHAIN'
  /** The certificate was not valid at the time that counts (signing time from the tlog or TSA, else now). */
  | 'CERTIFICATE_EXPIRED'
  /** The keyless certificate's identity (subject, issuer, extensions) is not the one required. */
  | 'UNTRUSTED_IDENTITY'
  /** A key type or hash cosign does not verify with. */
  | 'UNSUPPORTED_ALGORITHM'
  /** Options that cannot be used: a key that is not PEM, a bad regular expression, a wrong password. */
  | 'INVALID_INPUT'
  /** More signature layers than the bound; the rest were not tried. */
  | 'SIGNATURE_LIMIT_EXCEEDED'
  /** cosign's "no matching attestations" when none has the predicate type asked for. */
  | 'ATTESTATION_NOT_FOUND';

export type CosignErrorCode = SharedCosignErrorCode | DomainErrorCode<'cosign'>;

export class CosignError extends BaseError<CosignErrorCode> {}
