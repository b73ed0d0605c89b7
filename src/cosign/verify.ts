// The cosign verifier: find the signature tag of the pinned image, check each layer, decide as cosign 2 does.
import type { ArtifactStore, RegistryClient } from '../oci/index.js';
import type { PinnedImage } from '../verification/index.js';
import { CosignError } from './errors.js';
import type { CosignAttestationOptions, CosignVerifyOptions } from './options.js';
import type { CosignAttestationsOutcome, CosignSignaturesOutcome } from './outcome.js';

/**
 * Where signatures are read: a registry client (the image's repository, or `options.repository`),
 * or one store that holds them (an OCI layout, air-gapped).
 */
export type CosignSource = RegistryClient | ArtifactStore;

/** Verify the image's `.sig` signatures; a failed verification is an outcome, never a throw (but on abort). */
export function verifyCosignSignatures(source: CosignSource, image: PinnedImage, options: CosignVerifyOptions, signal: AbortSignal): Promise<CosignSignaturesOutcome> {
  void source;
  void image;
  void options;
  void signal;
  return Promise.reject(new CosignError('COSIGN_UNSUPPORTED', 'cosign signature verification is being built'));
}

/** Verify the image's `.att` attestations of `options.predicateType`; same contract as verifyCosignSignatures. */
export function verifyCosignAttestations(source: CosignSource, image: PinnedImage, options: CosignAttestationOptions, signal: AbortSignal): Promise<CosignAttestationsOutcome> {
  void source;
  void image;
  void options;
  void signal;
  return Promise.reject(new CosignError('COSIGN_UNSUPPORTED', 'cosign attestation verification is being built'));
}
