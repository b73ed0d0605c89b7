// Small cross-domain building blocks: the error base class.
export { BaseError, errorCode } from './error.js';
