// Records each validation's outcome with the action the trust policy level gives it (notation's VerificationOutcome).
import type { ErrorInfo, ValidationAction, ValidationResult, ValidationType } from '../types.js';

/**
 * One entry per validation type. A failure whose action is `enforce` is critical: the signature
 * fails and later validations are not run. A `log` failure is kept and verification goes on.
 */
export class ValidationRecorder {
  private readonly results = new Map<ValidationType, ValidationResult>();
  readonly errors: ErrorInfo[] = [];
  private critical = false;

  constructor(private readonly actions: Record<ValidationType, ValidationAction>) {}

  action(type: ValidationType): ValidationAction {
    return this.actions[type];
  }

  /** True once an enforced validation failed. */
  get failed(): boolean {
    return this.critical;
  }

  pass(type: ValidationType): void {
    if (!this.results.has(type)) this.results.set(type, { type, action: this.actions[type], passed: true });
  }

  skip(type: ValidationType): void {
    this.results.set(type, { type, action: 'skip', passed: false });
  }

  /** Record a failure; returns true when it is critical (the caller must stop). */
  fail(type: ValidationType, error: ErrorInfo): boolean {
    const action = this.actions[type];
    this.results.set(type, { type, action, passed: false, error });
    this.errors.push(error);
    if (action === 'enforce') this.critical = true;
    return action === 'enforce';
  }

  /** A failure outside the level table (e.g. target mismatch, plugin contract): always critical. */
  failAlways(type: ValidationType, error: ErrorInfo): true {
    this.results.set(type, { type, action: 'enforce', passed: false, error });
    this.errors.push(error);
    this.critical = true;
    return true;
  }

  list(): ValidationResult[] {
    return [...this.results.values()];
  }
}
