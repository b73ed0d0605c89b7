// The error of the CLI itself: a flag the user gave that the command cannot use.
import { BaseError } from '../common/index.js';

export type CliErrorCode =
  /** A flag or argument is missing, malformed or contradicts another one (exit code 2). */
  'USAGE';

export class CliError extends BaseError<CliErrorCode> {}
