// The one error base class: a stable machine-readable `code`, an actionable message and a `cause`.

export class BaseError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Narrow an unknown thrown value to an error with a code, for callers that map codes to outcomes. */
export function errorCode(err: unknown): string | undefined {
  if (err instanceof BaseError) return err.code;
  return undefined;
}
