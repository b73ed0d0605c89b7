// verifyImage: resolve a reference to a digest once, pick the platform manifest if asked, and verify its signatures.
import { isImageIndex, isIndexMediaType } from '../../oci/index.js';
import type { ArtifactStore, Descriptor } from '../../oci/index.js';
import { parseReference, referenceTarget } from '../../reference/index.js';
import { NotaryError } from '../errors.js';
import type { ImageVerificationResult } from '../types.js';
import { failedResult, isAborted, verifyTarget } from './artifact.js';
import { resolveListingAhead } from './discovery.js';
import type { VerifyImageOptions } from './options.js';
import { parsePlatform, selectPlatformManifest } from './platform.js';
import { applicablePolicy } from './policy.js';
import { toErrorInfo } from '../../verification/index.js';

/** Only the fields a descriptor of the artifact itself carries (drop the index's platform entry details). */
function artifactDescriptor(descriptor: Descriptor): Descriptor {
  return { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size };
}

function timeoutResult(reference: string, signal: AbortSignal | undefined, err: unknown): ImageVerificationResult {
  if (err instanceof NotaryError && err.code === 'VERIFICATION_TIMEOUT') return failedResult(reference, toErrorInfo(err));
  const reason = signal?.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return failedResult(reference, { code: 'VERIFICATION_TIMEOUT', message: `verification of ${reference} did not finish before its deadline${reason}` });
}

/**
 * Verify `tagOrDigest` in `store`, with `repository` selecting the trust policy statement. The tag
 * is resolved once and only the resulting digest is used afterwards. Never throws.
 */
export async function verifyInStore(
  store: ArtifactStore,
  tagOrDigest: string,
  repository: string,
  reference: string,
  options: VerifyImageOptions,
): Promise<ImageVerificationResult> {
  const signal = options.signal;
  try {
    const policy = applicablePolicy(options.trustPolicy, repository);
    // With a platform to pick, the signatures listed are the platform manifest's: nothing to list ahead.
    const resolved = artifactDescriptor(options.platform === undefined ? await resolveListingAhead(store, tagOrDigest, { signal }) : await store.resolve(tagOrDigest, { signal }));
    let descriptor = resolved;
    let subjects: Descriptor[] = [resolved];
    if (options.platform !== undefined && isIndexMediaType(resolved.mediaType)) {
      const wanted = typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
      const fetched = await store.fetchManifest(resolved, { signal });
      if (!isImageIndex(fetched.manifest)) {
        throw new NotaryError('INVALID_INPUT', `${repository}@${resolved.digest} has an index media type but is not an image index`);
      }
      descriptor = artifactDescriptor(selectPlatformManifest(fetched.manifest, wanted, resolved.digest));
      // See SignatureScope: the index's signatures count only when the caller allows it.
      subjects = options.signatureScope === 'index-or-platform' ? [descriptor, resolved] : [descriptor];
    }
    return await verifyTarget({ store, repository, reference, descriptor, subjects }, policy, options);
  } catch (err) {
    if (isAborted(err, signal)) return timeoutResult(reference, signal, err);
    return failedResult(reference, toErrorInfo(err));
  }
}

/**
 * Verify the Notary signatures of an image reference (`registry/repository[:tag][@digest]`) against
 * the trust policy, through `options.registry` (or `options.store`). A reference that resolves to an
 * index is verified at the index digest — what notation signs by default — unless `platform` asks
 * for one platform's manifest (see SignatureScope for which signatures then count). Never throws.
 */
export async function verifyImage(reference: string, options: VerifyImageOptions): Promise<ImageVerificationResult> {
  let parsed;
  try {
    parsed = parseReference(reference);
  } catch (err) {
    return failedResult(reference, toErrorInfo(err, 'INVALID_REFERENCE'));
  }
  const repository = options.scope ?? `${parsed.registry}/${parsed.repository}`;
  let store: ArtifactStore;
  try {
    if (options.store) store = options.store;
    else if (options.registry) store = options.registry.repository(parsed.registry, parsed.repository);
    else throw new NotaryError('INVALID_INPUT', 'verifyImage needs a registry client or a store');
  } catch (err) {
    return failedResult(reference, toErrorInfo(err));
  }
  return verifyInStore(store, referenceTarget(parsed), repository, reference, options);
}
