// The attestation evidence of an image verdict: one entry per required type, added to the scheme-neutral Evidence union.
import type { ErrorInfo, ImageVerdict } from '../verification/index.js';

/** What happened to one attestation artifact of the type: its signature, then its content and conditions. */
export interface CandidateOutcome {
  /** Digest of the attestation artifact. */
  artifact: string;
  /** Its Notary signature passed the image's trust policy statement. */
  trusted: boolean;
  /** Trusted, read, and its conditions held. */
  passed: boolean;
  /** Why it did not pass. */
  error?: ErrorInfo;
  /** The messages of the conditions that failed (Kyverno's, in its order). */
  messages: string[];
  /** For a passing outcome: when its signature stops holding (ISO 8601). */
  validUntil?: string;
}

/** The evidence about one required attestation type of an image. */
export interface AttestationEvidence {
  kind: 'attestation';
  /** The required artifact type. */
  type: string;
  verified: boolean;
  /** The deciding error first, then the errors of every artifact tried. */
  errors: ErrorInfo[];
  /** Attestation artifacts of the type found. */
  found: number;
  /** The artifact whose outcome decided (the newest trusted one), if any. */
  artifact?: string;
  /** Every artifact tried, newest first, and what happened to it. */
  outcomes: CandidateOutcome[];
}

declare module '../verification/verdict.js' {
  interface EvidenceKinds {
    attestation: AttestationEvidence;
  }
}

/** The attestation evidence of a verdict, in the order the types were required. */
export function attestationEvidence(verdict: ImageVerdict): AttestationEvidence[] {
  return verdict.evidence.filter((evidence): evidence is AttestationEvidence => evidence.kind === 'attestation');
}
