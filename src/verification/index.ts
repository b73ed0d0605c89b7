// The scheme-neutral verification contract: error codes and their table, verdicts with evidence, the verifier port.
export { CODE_INFO, codeInfo, isErrorCode, type CodeInfo, type DomainErrorCode, type ErrorCode } from './codes.js';
export { toErrorInfo, type ErrorInfo } from './error-info.js';
export { describeFailure, verdictErrors, type Evidence, type EvidenceBase, type EvidenceKinds, type ImageVerdict } from './verdict.js';
export type { CompiledPolicy, ImageVerifier, PinnedImage } from './verifier.js';
