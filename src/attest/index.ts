// Public face of the attestation domain: discovery, content, the conditions' context, and verification of required types.
export { AttestError, type AttestErrorCode } from './errors.js';
export { ELEMENT_KEY, MAX_ATTESTATION_BYTES, MAX_ATTESTATION_CANDIDATES, MAX_REQUIRED_TYPES } from './constants.js';
export { listAttestations, selectAttestations } from './discovery.js';
export { unescapeVariables } from './escape.js';
export { parseAttestationDocument, readAttestation, type AttestationContent } from './content.js';
export { attestationContext, evaluatedDocument, isInTotoStatement } from './context.js';
export { attestationEvidence, type AttestationEvidence, type CandidateOutcome } from './evidence.js';
export {
  applyAttestations,
  outcomeKey,
  verifyAttestations,
  type AttestationCache,
  type AttestationRequirement,
  type AttestationSubject,
  type AttestationsVerdict,
  type AttestationVerifierOptions,
} from './verify.js';
