// Where configuration comes from, without assuming a file: the origin of a resource or an issue, and the documents a source reads.

/**
 * Where a resource (or an issue) comes from. A file origin names the file relative to its
 * source (and the 0-based YAML document, when about one document); a Kubernetes origin names
 * the object as the API server knows it (all optional: `{kind: 'kubernetes'}` alone is the API).
 */
export type ResourceOrigin =
  | { kind: 'file'; path: string; documentIndex?: number }
  | { kind: 'kubernetes'; resourceKind?: string; namespace?: string; name?: string; resourceVersion?: string };

/** One document a source read: its origin and plain JS value (null for an empty document). */
export interface SourceDocument {
  origin: ResourceOrigin;
  value: unknown;
}

/**
 * What a source reads as a whole (a file; a Kubernetes object): its documents, or why it could
 * not be read. An unreadable unit yields nothing: the resources it defined before are kept.
 */
export type SourceUnit =
  | { origin: ResourceOrigin; status: 'parsed'; documents: SourceDocument[] }
  | { origin: ResourceOrigin; status: 'unreadable'; message: string };

/** Equal for every document of one unit (a file, a Kubernetes object). */
export function unitKey(origin: ResourceOrigin): string {
  return origin.kind === 'file'
    ? `file\0${origin.path}`
    : `kubernetes\0${origin.resourceKind ?? ''}\0${origin.namespace ?? ''}\0${origin.name ?? ''}`;
}

/** Equal for the same document of the same unit. */
export function originKey(origin: ResourceOrigin): string {
  return origin.kind === 'file' ? `${unitKey(origin)}\0${origin.documentIndex ?? ''}` : unitKey(origin);
}

/** `policy.yaml: document 2`, `kubernetes TrustPolicy team-a (resourceVersion 812)`: the start of an issue line. */
export function formatOrigin(origin: ResourceOrigin): string {
  if (origin.kind === 'file') return origin.documentIndex === undefined ? origin.path : `${origin.path}: document ${origin.documentIndex + 1}`;
  let text = 'kubernetes';
  if (origin.resourceKind) text += ` ${origin.resourceKind}`;
  if (origin.name) text += ` ${origin.namespace ? `${origin.namespace}/` : ''}${origin.name}`;
  if (origin.resourceVersion) text += ` (resourceVersion ${origin.resourceVersion})`;
  return text;
}

/** `a.yaml (document 1)`: an origin inside a sentence. */
export function originPhrase(origin: ResourceOrigin): string {
  if (origin.kind === 'file' && origin.documentIndex !== undefined) return `${origin.path} (document ${origin.documentIndex + 1})`;
  return formatOrigin(origin);
}
