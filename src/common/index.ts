// Small cross-domain building blocks: the error base class, byte equality, bounded reads, Go compatibility,
// cancellation (deadlines, linked signals, abort checks).
export { bytesEqual } from './bytes.js';
export { BaseError, errorCode } from './error.js';
export { goJsonEscape, goJsonMap, goJsonStruct, goParseBool, goParseDuration } from './go.js';
export { readFileLimited, readLimited, type FileReadProblem, type ReadFileLimitedOptions, type ReadLimitedOptions } from './read.js';
export {
  abortReason,
  deadline,
  isAbortError,
  isTimeoutError,
  raceSignal,
  withDeadline,
  type Deadline,
  type DeadlineOptions,
} from './abort.js';
