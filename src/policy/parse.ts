// Kyverno policy documents (YAML or JSON streams) → typed, checked policies plus the issues found (implementation follows).
import type { CompiledKyvernoPolicy } from './model.js';
import type { PolicyIssue } from './types.js';

export function parsePolicies(docs: { origin: string; text: string }[]): { policies: CompiledKyvernoPolicy[]; issues: PolicyIssue[] } {
  return { policies: [], issues: docs.map((doc) => ({ severity: 'error', origin: doc.origin, message: 'policy parsing is not implemented yet' })) };
}
