// Types of scripts/kyverno-policy-schema.js (plain JavaScript: it runs before anything is compiled).
export const DEFAULT_CRD: string;
export const SCHEMA_FILE: string;
/** The schema file's text for the CRD at `crdPath` (default: the shared Kyverno fixture). */
export function policySchemaText(crdPath?: string): string;
