// The real verification backend: the OCI registry client resolves tags, the Notary verifier (an ImageVerifier) checks the digest.
import type { AttestationRequirement, AttestationsVerdict } from '../attest/index.js';
import { AWS_SIGNER_TRUST_STORES, verificationPlugins, type AwsSignerVerifierChoice, type AwsSignerVerifierOptions } from '../aws/index.js';
import type { ConfigValidators } from '../config/index.js';
import { BaseError } from '../common/index.js';
import { compileNotaryPolicy, MemoryTrustStore, NotaryImageVerifier, PluginDirectory, parseTrustPolicyStatements, resolveListingAhead } from '../notary/index.js';
import { RevocationChecker } from '../pki/index.js';
import { RegistryClient, type ArtifactStore, type CredentialProvider, type Descriptor, type RegistryHostOptions } from '../oci/index.js';
import { DEFAULT_TAG } from '../reference/index.js';
import type { CompiledPolicy, ImageVerdict, PinnedImage } from '../verification/index.js';
import { SERVICE_CREDENTIALS_REMEDY } from './constants.js';
import type { RegistryOperationEvent } from './metrics.js';
import type { AttestationCheckOptions, ResolveRequest, VerificationBackend } from './verification.js';

export interface NotaryBackendOptions {
  credentials?: CredentialProvider;
  /** `true`: a request's `insecure` is honoured for every registry; a list: only for these hosts. */
  allowInsecureRegistry?: boolean | readonly string[];
  /** Registries reached over plain HTTP (loopback registries always are, as docker does). */
  plainHttpRegistries?: readonly string[];
  /** Registries held to the public-address rule whatever their own address (RegistryClientOptions.publicRegistries). */
  publicRegistries?: readonly string[];
  /** Signatures tried per image (the peer's --maxSignatureAttempts). */
  maxSignatureAttempts: number;
  /** Requests in flight to one registry host at once (default: the registry client's, 64). */
  maxRequestsPerRegistry?: number;
  /** OCSP/CRL checking; default: a RevocationChecker with in-memory caching. */
  revocation?: RevocationChecker | false;
  /** Notation plugin directory (`$PLUGINS_DIR`): plugins that signatures name are run from here. */
  pluginsDir?: string;
  /** Who verifies com.amazonaws.signer.notation.plugin signatures (default: the built-in verifier). */
  awsSignerVerifier?: AwsSignerVerifierChoice;
  /** Passed to verification plugins as `pluginConfig`. */
  pluginConfig?: Record<string, string>;
  /** The built-in AWS Signer verifier's revocation source (tests: the SDK pointed at a double). */
  awsSigner?: AwsSignerVerifierOptions;
  /** Called after every registry operation (for metrics). */
  onRegistryOperation?: (event: RegistryOperationEvent) => void;
}

/** Checks the Notary domain applies to resources when the config is loaded, so bad ones are rejected up front. */
export const notaryConfigValidators: ConfigValidators = {
  trustPolicyDocument(document, source) {
    return parseTrustPolicyStatements(document.trustPolicies, document.version, source).warnings;
  },
  trustStore(type, name, caBundle) {
    MemoryTrustStore.fromBundles([{ type, name, caBundle }]);
  },
  builtinTrustStores: AWS_SIGNER_TRUST_STORES.map((store) => `${store.type}:${store.name}`),
  compileTrustPolicy(entry) {
    return compileNotaryPolicy({
      name: entry.name,
      cacheKey: entry.contentHash,
      version: entry.document.version,
      trustPolicies: entry.document.trustPolicies,
      // AWS Signer's published roots answer for the stores the policy names and no TrustStore resource provides.
      trustStores: [
        ...AWS_SIGNER_TRUST_STORES.filter((store) => entry.missingTrustStores.includes(`${store.type}:${store.name}`)),
        ...[...entry.trustStores.values()].map((store) => ({ type: store.type, name: store.trustStoreName, caBundle: store.caBundle })),
      ],
      source: `TrustPolicy ${entry.name}`,
    });
  },
};

type Observer = ((event: RegistryOperationEvent) => void) | undefined;

/**
 * Time `operation` against `registry` and report its outcome (`ok` or the error code). Plain
 * promise handlers, no async wrapper: a warm request makes one an image, and each async layer costs a promise and ticks.
 */
function observed<T>(observer: Observer, registry: string, operation: string, run: () => Promise<T>): Promise<T> {
  if (!observer) return run();
  const started = performance.now();
  const report = (outcome: string): void => observer({ registry, operation, outcome, durationMs: performance.now() - started });
  const failed = (err: unknown): never => {
    report(err instanceof BaseError ? err.code : 'ERROR');
    throw err;
  };
  let running: Promise<T>;
  try {
    running = run();
  } catch (err) {
    return Promise.reject(err).catch(failed);
  }
  return running.then((value) => {
    report('ok');
    return value;
  }, failed);
}

/**
 * The store as the verifier sees it: every read observed, and resolving the digest we already
 * resolved answers from memory (the tag was resolved once; that digest is what gets verified).
 */
function pinnedStore(store: ArtifactStore, pinned: PinnedImage['descriptor'], registry: string, observer: Observer): ArtifactStore {
  return {
    name: store.name,
    resolve: (tagOrDigest, options) =>
      tagOrDigest === pinned.digest ? Promise.resolve(pinned) : observed(observer, registry, 'resolve', () => store.resolve(tagOrDigest, options)),
    fetchManifest: (target, options) => observed(observer, registry, 'fetchManifest', () => store.fetchManifest(target, options)),
    fetchBlob: (descriptor, options) => observed(observer, registry, 'fetchBlob', () => store.fetchBlob(descriptor, options)),
    referrers: (subject, artifactType, options) => observed(observer, registry, 'referrers', () => store.referrers(subject, artifactType, options)),
    pushBlob: (bytes, mediaType, options) => store.pushBlob(bytes, mediaType, options),
    pushManifest: (bytes, mediaType, tag, options) => store.pushManifest(bytes, mediaType, tag, options),
  };
}

export class NotaryBackend implements VerificationBackend {
  readonly #secure: RegistryClient;
  readonly #insecure: RegistryClient;
  readonly #options: NotaryBackendOptions;
  readonly #verifier: NotaryImageVerifier;

  constructor(options: NotaryBackendOptions) {
    this.#options = options;
    const plain: Record<string, RegistryHostOptions> = {};
    for (const registry of options.plainHttpRegistries ?? []) plain[registry] = { plainHttp: true };
    const base = {
      ...(options.credentials ? { credentials: options.credentials } : {}),
      plainHttpForLocalhost: true,
      ...(options.publicRegistries ? { publicRegistries: [...options.publicRegistries] } : {}),
      credentialsRemedy: SERVICE_CREDENTIALS_REMEDY,
      ...(options.maxRequestsPerRegistry !== undefined ? { maxRequestsPerRegistry: options.maxRequestsPerRegistry } : {}),
    };
    this.#secure = new RegistryClient({ ...base, registries: plain });
    const allow = options.allowInsecureRegistry ?? false;
    if (allow === true) {
      this.#insecure = new RegistryClient({ ...base, registries: plain, insecure: true });
    } else if (allow === false || allow.length === 0) {
      this.#insecure = this.#secure;
    } else {
      const insecure: Record<string, RegistryHostOptions> = { ...plain };
      for (const registry of allow) insecure[registry] = { ...insecure[registry], insecure: true };
      this.#insecure = new RegistryClient({ ...base, registries: insecure });
    }
    const revocation = options.revocation === false ? undefined : (options.revocation ?? new RevocationChecker());
    this.#verifier = new NotaryImageVerifier({
      store: (image) =>
        pinnedStore(this.#client(image.insecure).repository(image.registry, image.repository), image.descriptor, image.registry, options.onRegistryOperation),
      maxSignatures: options.maxSignatureAttempts,
      ...(revocation ? { revocation } : {}),
      plugins: verificationPlugins(options.pluginsDir ? new PluginDirectory(options.pluginsDir) : undefined, options.awsSignerVerifier, options.awsSigner),
      ...(options.pluginConfig ? { pluginConfig: options.pluginConfig } : {}),
    });
  }

  #client(insecure: boolean): RegistryClient {
    return insecure ? this.#insecure : this.#secure;
  }

  resolve(request: ResolveRequest): Promise<Descriptor> {
    const { reference } = request;
    const store = this.#client(request.insecure).repository(reference.registry, reference.repository);
    const target = reference.digest ?? reference.tag ?? DEFAULT_TAG;
    // By digest, the signature listing goes out with the HEAD (the verifier takes it; see resolveListingAhead).
    const options = { signal: request.signal };
    return resolveListingAhead(store, target, options, () => observed(this.#options.onRegistryOperation, reference.registry, 'resolve', () => store.resolve(target, options)));
  }

  verify(image: PinnedImage, policy: CompiledPolicy, signal: AbortSignal): Promise<ImageVerdict> {
    return this.#verifier.verify(image, policy, signal);
  }

  /** Each attestation artifact is verified as an image of the same repository: same trust policy, same statement. */
  async verifyAttestations(
    image: PinnedImage,
    requirements: readonly AttestationRequirement[],
    policy: CompiledPolicy,
    options: AttestationCheckOptions,
  ): Promise<AttestationsVerdict> {
    // The attestation domain (conditions, JMESPath, RE2) loads with the first policy that requires attestations.
    const { verifyAttestations } = await import('../attest/verify.js');
    const observer = this.#options.onRegistryOperation;
    const store = pinnedStore(this.#client(image.insecure).repository(image.registry, image.repository), image.descriptor, image.registry, observer);
    return verifyAttestations(
      { store, repository: `${image.registry}/${image.repository}`, descriptor: image.descriptor },
      requirements,
      {
        verifySignature: (artifact, signal) =>
          this.#verifier.verify(
            { ...image, digest: artifact.digest, descriptor: { mediaType: artifact.mediaType, digest: artifact.digest, size: artifact.size } },
            policy,
            signal,
          ),
        policyKey: policy.cacheKey,
        ...(options.cache ? { cache: options.cache } : {}),
        flightTimeoutMs: options.flightTimeoutMs,
      },
      options.signal,
    );
  }

  async close(): Promise<void> {
    await Promise.all([this.#secure.close(), this.#insecure === this.#secure ? undefined : this.#insecure.close()]);
  }
}
