// Small cross-domain building blocks: the error base class, byte equality, Go compatibility.
export { bytesEqual } from './bytes.js';
export { BaseError, errorCode } from './error.js';
export { goJsonEscape, goJsonMap, goJsonStruct, goParseBool, goParseDuration } from './go.js';
