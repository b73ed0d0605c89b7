// Copy an artifact graph between stores: manifests byte-for-byte, their blobs, and (optionally) referrers.
import { isDigest } from '../reference/index.js';
import { OciError } from './errors.js';
import { isManifestMediaType, successors } from './manifest.js';
import type { ArtifactStore, Descriptor, RequestOptions } from './types.js';

/** Most manifests and blobs one copy visits; bounds a hostile graph of referrers. */
export const DEFAULT_MAX_COPY_NODES = 10_000;

/** Layers that registries must not redistribute: they are referenced, not copied. */
const NON_DISTRIBUTABLE = /^application\/vnd\.(?:docker\.image\.rootfs\.foreign\.diff\.tar(?:\.gzip)?|oci\.image\.layer\.nondistributable\.)/;

export interface CopyGraphOptions extends RequestOptions {
  /** Also copy the referrers of every copied manifest, recursively (`oras cp -r`). */
  recursive?: boolean;
  /** Tag the root in the destination; default: the source reference when it is a tag; null: no tag. */
  tag?: string | null;
  maxNodes?: number;
  /** Called after each manifest or blob is in the destination. */
  onCopied?: (descriptor: Descriptor, kind: 'manifest' | 'blob' | 'referrer') => void;
}

export interface CopyGraphResult {
  /** Root manifest descriptor (same digest in both stores). */
  descriptor: Descriptor;
  manifests: number;
  blobs: number;
  referrers: number;
}

/** Copy `reference` (a tag or digest in `src`) and what it points at into `dst`. */
export async function copyGraph(src: ArtifactStore, dst: ArtifactStore, reference: string, options: CopyGraphOptions = {}): Promise<CopyGraphResult> {
  const request: RequestOptions = options.signal ? { signal: options.signal } : {};
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_COPY_NODES;
  const root = await src.resolve(reference, request);
  const tag = options.tag === null ? undefined : (options.tag ?? (isDigest(reference) ? undefined : reference));
  const visited = new Set<string>();
  const result: CopyGraphResult = { descriptor: root, manifests: 0, blobs: 0, referrers: 0 };

  const visit = (digest: string): boolean => {
    if (visited.has(digest)) return false;
    if (visited.size >= maxNodes) {
      throw new OciError('SIZE_LIMIT_EXCEEDED', `copy of ${reference} from ${src.name} visits more than ${maxNodes} manifests and blobs; raise maxNodes if this graph is expected`);
    }
    visited.add(digest);
    return true;
  };

  const copyBlob = async (descriptor: Descriptor): Promise<void> => {
    if (!visit(descriptor.digest) || NON_DISTRIBUTABLE.test(descriptor.mediaType)) return;
    if (dst.hasBlob && (await dst.hasBlob(descriptor, request))) return;
    if (dst.mountBlob && (await dst.mountBlob(descriptor, src, request))) {
      result.blobs += 1;
      options.onCopied?.(descriptor, 'blob');
      return;
    }
    const bytes = await src.fetchBlob(descriptor, request);
    await dst.pushBlob(bytes, descriptor.mediaType, request);
    result.blobs += 1;
    options.onCopied?.(descriptor, 'blob');
  };

  const copyManifest = async (descriptor: Descriptor, manifestTag: string | undefined, kind: 'manifest' | 'referrer'): Promise<void> => {
    if (!visit(descriptor.digest)) return;
    const fetched = await src.fetchManifest(descriptor, request);
    for (const child of successors(fetched.manifest)) {
      if (isManifestMediaType(child.mediaType)) await copyManifest(child, undefined, 'manifest');
      else await copyBlob(child);
    }
    await dst.pushManifest(fetched.bytes, fetched.descriptor.mediaType, manifestTag, request);
    if (kind === 'referrer') result.referrers += 1;
    else result.manifests += 1;
    options.onCopied?.(fetched.descriptor, kind);
    if (options.recursive) {
      // Referrers are pushed after their subject, so registries validating subjects accept them.
      for (const referrer of await src.referrers(fetched.descriptor, undefined, request)) {
        await copyManifest(referrer, undefined, 'referrer');
      }
    }
  };

  await copyManifest(root, tag, 'manifest');
  return result;
}
