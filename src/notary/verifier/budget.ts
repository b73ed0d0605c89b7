// The work one image verification may do on untrusted content (certificates parsed, signatures checked, bytes parsed), as the service's wildcard budget bounds matching.
import { NotaryError } from '../errors.js';
import { DEFAULT_WORK_LIMITS } from './constants.js';

/** What a verification may spend; each count is checked before the work it pays for. */
export interface WorkLimits {
  /** Certificates parsed: signing chains, timestamp token certificates. */
  certificatesParsed: number;
  /** Signatures checked: envelopes, certificate issuance, timestamp tokens. */
  signaturesChecked: number;
  /** Bytes of signature manifests, envelopes and timestamp tokens parsed. */
  bytesParsed: number;
}

export type WorkKind = keyof WorkLimits;

/**
 * One verification's allowance. Not a clock: the same content costs the same counts on any
 * machine, so a verdict does not depend on load. Throws WORK_BUDGET_EXCEEDED naming the budget,
 * which stops the whole verification (no later signature is tried).
 */
export class WorkBudget {
  readonly #limits: WorkLimits;
  readonly #spent: WorkLimits = { certificatesParsed: 0, signaturesChecked: 0, bytesParsed: 0 };

  constructor(limits: Partial<WorkLimits> = {}) {
    this.#limits = { ...DEFAULT_WORK_LIMITS, ...limits };
  }

  spend(kind: WorkKind, amount: number): void {
    this.#spent[kind] += amount;
    if (this.#spent[kind] > this.#limits[kind]) {
      throw new NotaryError(
        'WORK_BUDGET_EXCEEDED',
        `verification stopped: the ${kind} budget of ${this.#limits[kind]} per image is spent (${this.#spent[kind]} needed so far); the image's signatures are not verified`,
      );
    }
  }

  /** What was spent so far (for tests and logs). */
  spent(): Readonly<WorkLimits> {
    return { ...this.#spent };
  }
}

export function isBudgetExceeded(err: unknown): boolean {
  return err instanceof NotaryError && err.code === 'WORK_BUDGET_EXCEEDED';
}
