// The error of the reference domain: a string that is not a valid image reference.
import { BaseError } from '../common/index.js';

export type ReferenceErrorCode =
  /** The string breaks the docker/distribution reference grammar. */
  'INVALID_REFERENCE';

export class ReferenceParseError extends BaseError<ReferenceErrorCode> {
  /** The rejected input, verbatim (references carry no secrets). */
  readonly input: string;

  constructor(input: string, reason: string) {
    super(
      'INVALID_REFERENCE',
      `invalid reference ${JSON.stringify(input)}: ${reason}; expected [registry[:port]/]repository[:tag][@algorithm:hex], e.g. ghcr.io/org/app:v1 or registry.local:5000/app@sha256:<64 hex>`,
    );
    this.input = input;
  }
}
