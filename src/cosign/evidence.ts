// The cosign evidence of an image verdict, added to the scheme-neutral Evidence union, and the verdict of an outcome.
import type { ErrorInfo, ImageVerdict } from '../verification/index.js';
import type { CosignAttestationsOutcome, CosignSignatureOutcome, CosignSignaturesOutcome } from './outcome.js';

export interface CosignEvidence {
  kind: 'cosign';
  /** `signatures` (`.sig`) or `attestations` (`.att`). */
  what: 'signatures' | 'attestations';
  verified: boolean;
  signatureTag: string;
  /** The deciding error first, then each layer's. */
  errors: ErrorInfo[];
  signatures: CosignSignatureOutcome[];
}

declare module '../verification/verdict.js' {
  interface EvidenceKinds {
    cosign: CosignEvidence;
  }
}

/** The image verdict of a cosign outcome (the CLI and service read verdicts). */
export function cosignVerdict(reference: string, digest: string, outcome: CosignSignaturesOutcome | CosignAttestationsOutcome): ImageVerdict {
  const what = 'statements' in outcome ? 'attestations' : 'signatures';
  const layerErrors = outcome.signatures.flatMap((signature) => (signature.error ? [signature.error] : []));
  const evidence: CosignEvidence = {
    kind: 'cosign',
    what,
    verified: outcome.verified,
    signatureTag: outcome.signatureTag,
    errors: [...(outcome.error ? [outcome.error] : []), ...layerErrors],
    signatures: outcome.signatures,
  };
  return { reference, digest, verified: outcome.verified, ...(outcome.error ? { error: outcome.error } : {}), evidence: [evidence] };
}

/** The cosign evidence of a verdict. */
export function cosignEvidence(verdict: ImageVerdict): CosignEvidence[] {
  return verdict.evidence.filter((evidence): evidence is CosignEvidence => evidence.kind === 'cosign');
}
