// Options of verifyArtifact and verifyImage.
import type { ArtifactStore, Platform } from '../../oci/index.js';
import type { VerificationPluginProvider } from '../plugin/index.js';
import type { RevocationChecker } from '../../pki/index.js';
import type { TrustPolicyDocument } from '../trustpolicy/index.js';
import type { TrustStoreProvider } from '../truststore/index.js';
import type { WorkBudget } from './budget.js';

/**
 * Which signatures count when a platform manifest of an index is verified:
 * - `resolved`: only signatures on the manifest being verified (the platform manifest with
 *   `platform`, else the resolved manifest or index);
 * - `index-or-platform`: with `platform`, a signature on the platform manifest or on the index
 *   that lists it (notation signs the index by default, and an index digest pins its manifests).
 */
export type SignatureScope = 'resolved' | 'index-or-platform';

/** What the verifier needs of a revocation checker (the OCSP/CRL RevocationChecker, or a stand-in). */
export type RevocationSource = Pick<RevocationChecker, 'check'>;

export interface VerifyArtifactOptions {
  /** A parsed and validated trust policy document. */
  trustPolicy: TrustPolicyDocument;
  trustStore: TrustStoreProvider;
  /**
   * `registry/repository` of the artifact: selects the trust policy statement and names the
   * artifact in messages. Defaults to the store's name.
   */
  repository?: string;
  /**
   * Signatures tried at most (default 30, up to 1000). The referrers listing is not cut to this
   * count: it is bounded by the registry client's referrer limits, and the first in discovery order
   * (newest first, per subject) are tried.
   */
  maxSignatures?: number;
  /** Annotations the signed payload must carry (`--user-metadata k=v`). */
  userMetadata?: Record<string, string>;
  /**
   * OCSP/CRL checker. Without one, certificates that name no OCSP or CRL location count as
   * not revocable (the spec's rule) and the others report status unknown, which the level decides.
   */
  revocation?: RevocationSource;
  /** Where verification plugins named by signatures are found (plugin directory, built-ins). */
  plugins?: VerificationPluginProvider;
  /** Passed to plugins as `pluginConfig`. */
  pluginConfig?: Record<string, string>;
  /** Critical extended attributes the caller processes itself (e.g. a built-in verifier). */
  understoodCriticalAttributes?: string[];
  signal?: AbortSignal;
  /** What this verification may spend on untrusted content; unbounded without one (the CLI on the user's own input). */
  budget?: WorkBudget;
  /** Clock for tests; defaults to the current time. */
  now?: Date;
}

/** Something that hands out a store per repository: the registry client. */
export interface RepositoryProvider {
  repository(registry: string, repository: string): ArtifactStore;
}

export interface VerifyImageOptions extends Omit<VerifyArtifactOptions, 'repository'> {
  /** Registry client used to reach `reference`; required unless `store` is given. */
  registry?: RepositoryProvider;
  /** A store that holds the image (e.g. an OCI layout); the reference's tag/digest is resolved in it. */
  store?: ArtifactStore;
  /** `registry/repository` for trust policy selection when `store` is an OCI layout. */
  scope?: string;
  /**
   * Verify the manifest for this platform of an index instead of the index. A reference that
   * resolves to a single manifest is verified as it is: there is no other digest to choose.
   */
  platform?: Platform | string;
  /** Default `resolved`. */
  signatureScope?: SignatureScope;
}
