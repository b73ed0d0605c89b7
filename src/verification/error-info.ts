// ErrorInfo, the plain-data form of an error at every boundary, and the one way to get it from a thrown value.
import { BaseError } from '../common/index.js';
import { isErrorCode, type ErrorCode } from './codes.js';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

/**
 * The ErrorInfo of a thrown value: an error of ours keeps its code; anything else (a Node errno
 * error such as ECONNRESET or ENOENT, a TypeError from a bug) gets `fallback` — the code of what
 * the caller was doing — and keeps its message, so an errno never becomes a verdict code.
 */
export function toErrorInfo(err: unknown, fallback: ErrorCode = 'INTERNAL_ERROR'): ErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BaseError && isErrorCode(err.code)) return { code: err.code, message };
  return { code: fallback, message };
}
