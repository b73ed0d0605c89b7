// Small cross-domain building blocks: the error base class, byte equality.
export { bytesEqual } from './bytes.js';
export { BaseError, errorCode } from './error.js';
