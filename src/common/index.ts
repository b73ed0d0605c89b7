// Small cross-domain building blocks: the error base class, byte equality, bounded reads, Go compatibility, Kyverno wildcards,
// cancellation (deadlines, linked signals, abort checks), the bounded HTTP client and the public-address rule.
export { bytesEqual } from './bytes.js';
export { BaseError, errorCode } from './error.js';
export { goYamlNestedStringMap } from './go-yaml.js';
export { goFormatFloat, goJsonEscape, goJsonIndent, goJsonMap, goJsonStruct, goJsonStructIndent, goJsonValue, goParseBool, goParseDuration, goParseFloat } from './go.js';
export { readFileLimited, readLimited, readTextFileLimited, type FileReadProblem, type ReadFileLimitedOptions, type ReadLimitedOptions } from './read.js';
export { wildcardMatch, WildcardBudgetExceeded, type WildcardBudget } from './wildcard.js';
export { jsonSyntaxErrorPosition, jsonSyntaxErrorWhere, type TextPosition } from './json-position.js';
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
export {
  addressRuleOf,
  checkLiteralTarget,
  ipLiteral,
  isPublicAddress,
  NON_PUBLIC_ADDRESS_CODE,
  publicOnlyLookup,
  type AddressRule,
  type NonPublicAddressError,
} from './address.js';
export {
  abandon,
  causeCode,
  DEFAULT_HTTP_CLIENT_OPTIONS,
  header,
  HttpClient,
  HttpError,
  parseRetryAfter,
  type HttpClientOptions,
  type HttpErrorCode,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type HttpRetryPolicy,
  type HttpTimeouts,
  type ResponseBody,
  type ResponseHeaders,
} from './http.js';
