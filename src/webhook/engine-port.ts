// The verifyImages policy engine as the webhook calls it: the port src/policy/index.ts exports (issue 16), declared here until wip/policy is merged, then imported from there.
//
// Names and shapes are the port's (see /work/notes/task-policy.md item 1); only what the webhook reads.

/** One JSON Patch (RFC 6902) operation the engine asks for. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export interface AdmissionRequestView {
  uid: string;
  kind: { group: string; version: string; kind: string };
  subResource?: string;
  namespace?: string;
  name?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object: unknown;
  oldObject?: unknown;
  userInfo?: { username?: string; groups?: string[] };
  dryRun?: boolean;
  namespaceLabels?: Record<string, string>;
}

export interface RuleResponse {
  policy: string;
  namespace?: string;
  rule: string;
  type: 'ImageVerify';
  status: 'pass' | 'fail' | 'skip' | 'error' | 'warn';
  message: string;
  failureAction: 'Enforce' | 'Audit';
  failurePolicy: 'Fail' | 'Ignore';
}

export interface EngineResponse {
  rules: RuleResponse[];
  patches: JsonPatchOperation[];
  /** The resource after patches. */
  patched: unknown;
  verifiedImages: { path: string; reference: string; digest: string }[];
}

export interface PolicyEngine {
  evaluate(req: AdmissionRequestView, signal: AbortSignal): Promise<EngineResponse>;
}
