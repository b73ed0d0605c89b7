// Walk the referrers graph of an artifact (referrers of referrers …), bounded in depth and size.
import { DEFAULT_REFERRERS_TREE_DEPTH, DEFAULT_REFERRERS_TREE_NODES } from './constants.js';
import { OciError } from './errors.js';
import type { ArtifactStore, Descriptor, RequestOptions } from './types.js';

export { DEFAULT_REFERRERS_TREE_DEPTH, DEFAULT_REFERRERS_TREE_NODES };

export interface ReferrerNode {
  descriptor: Descriptor;
  referrers: ReferrerNode[];
}

export interface ReferrersTreeOptions extends RequestOptions {
  /** Only referrers of this artifact type, at every level. */
  artifactType?: string;
  maxDepth?: number;
  maxNodes?: number;
}

/** The referrers of `subject`, each with its own referrers, depth-first, without revisiting a digest. */
export async function referrersTree(store: ArtifactStore, subject: Descriptor, options: ReferrersTreeOptions = {}): Promise<ReferrerNode[]> {
  const maxDepth = options.maxDepth ?? DEFAULT_REFERRERS_TREE_DEPTH;
  const maxNodes = options.maxNodes ?? DEFAULT_REFERRERS_TREE_NODES;
  const request: RequestOptions = options.signal ? { signal: options.signal } : {};
  const seen = new Set<string>([subject.digest]);
  const walk = async (node: Descriptor, depth: number): Promise<ReferrerNode[]> => {
    if (depth > maxDepth) return [];
    const out: ReferrerNode[] = [];
    for (const referrer of await store.referrers(node, options.artifactType, request)) {
      if (seen.has(referrer.digest)) continue;
      if (seen.size > maxNodes) {
        throw new OciError('SIZE_LIMIT_EXCEEDED', `the referrers graph of ${subject.digest} in ${store.name} has more than ${maxNodes} nodes; narrow it with an artifact type or a smaller depth`);
      }
      seen.add(referrer.digest);
      out.push({ descriptor: referrer, referrers: await walk(referrer, depth + 1) });
    }
    return out;
  };
  return walk(subject, 1);
}
