// Small cross-domain building blocks: the error base class, cancellation (deadlines, linked signals, abort checks).
export { BaseError, errorCode } from './error.js';
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
