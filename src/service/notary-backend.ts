// The real verification backend: the OCI registry client resolves tags, the Notary verifier checks the digest.
import { LRUCache } from 'lru-cache';
import type { ConfigValidators, TrustPolicyEntry } from '../config/index.js';
import { BaseError } from '../common/index.js';
import {
  MemoryTrustStore,
  NotaryError,
  PluginDirectory,
  parseTrustPolicyStatements,
  RevocationChecker,
  type ImageVerificationResult,
  verifyImage,
  type TrustPolicyDocument,
} from '../notary/index.js';
import { RegistryClient, type ArtifactStore, type CredentialProvider, type Descriptor, type RegistryHostOptions } from '../oci/index.js';
import { DEFAULT_TAG, formatReference } from '../reference/index.js';
import type { RegistryOperationEvent } from './metrics.js';
import type { ResolveRequest, VerificationBackend, VerifyRequest } from './verification.js';

/** Prepared trust policies (parsed document + trust store) kept, by content hash. */
const MAX_PREPARED_TRUST_POLICIES = 256;

export interface NotaryBackendOptions {
  credentials?: CredentialProvider;
  /** `true`: a request's `insecure` is honoured for every registry; a list: only for these hosts. */
  allowInsecureRegistry?: boolean | readonly string[];
  /** Registries reached over plain HTTP (loopback registries always are, as docker does). */
  plainHttpRegistries?: readonly string[];
  /** Signatures tried per image (the peer's --maxSignatureAttempts). */
  maxSignatureAttempts: number;
  /** OCSP/CRL checking; default: a RevocationChecker with in-memory caching. */
  revocation?: RevocationChecker | false;
  /** Notation plugin directory (`$PLUGINS_DIR`): plugins that signatures name are run from here. */
  pluginsDir?: string;
  /** Called after every registry operation (for metrics). */
  onRegistryOperation?: (event: RegistryOperationEvent) => void;
}

/** Checks the Notary domain applies to resources when the config is loaded, so bad ones are rejected up front. */
export const notaryConfigValidators: ConfigValidators = {
  trustPolicyDocument(document, source) {
    parseTrustPolicyStatements(document.trustPolicies, document.version, source);
  },
  trustStore(type, name, caBundle) {
    MemoryTrustStore.fromBundles([{ type, name, caBundle }]);
  },
};

function failed(reference: string, err: unknown): ImageVerificationResult {
  const error =
    err instanceof BaseError ? { code: err.code, message: err.message } : { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
  return { reference, verified: false, results: [], error };
}

type Observer = ((event: RegistryOperationEvent) => void) | undefined;

/** Time `operation` against `registry` and report its outcome (`ok` or the error code). */
async function observed<T>(observer: Observer, registry: string, operation: string, run: () => Promise<T>): Promise<T> {
  if (!observer) return run();
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await run();
  } catch (err) {
    outcome = err instanceof BaseError ? err.code : 'ERROR';
    throw err;
  } finally {
    observer({ registry, operation, outcome, durationMs: performance.now() - started });
  }
}

/**
 * The store as the verifier sees it: every read observed, and resolving the digest we already
 * resolved answers from memory (the tag was resolved once; that digest is what gets verified).
 */
function pinnedStore(store: ArtifactStore, pinned: Descriptor, registry: string, observer: Observer): ArtifactStore {
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

interface PreparedTrustPolicy {
  document: TrustPolicyDocument;
  trustStore: MemoryTrustStore;
}

export class NotaryBackend implements VerificationBackend {
  readonly #secure: RegistryClient;
  readonly #insecure: RegistryClient;
  readonly #options: NotaryBackendOptions;
  readonly #revocation: RevocationChecker | undefined;
  readonly #plugins: PluginDirectory | undefined;
  readonly #prepared = new LRUCache<string, PreparedTrustPolicy>({ max: MAX_PREPARED_TRUST_POLICIES });

  constructor(options: NotaryBackendOptions) {
    this.#options = options;
    const plain: Record<string, RegistryHostOptions> = {};
    for (const registry of options.plainHttpRegistries ?? []) plain[registry] = { plainHttp: true };
    const base = { ...(options.credentials ? { credentials: options.credentials } : {}), plainHttpForLocalhost: true };
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
    this.#revocation = options.revocation === false ? undefined : (options.revocation ?? new RevocationChecker());
    this.#plugins = options.pluginsDir ? new PluginDirectory(options.pluginsDir) : undefined;
  }

  #client(insecure: boolean): RegistryClient {
    return insecure ? this.#insecure : this.#secure;
  }

  #prepare(trustPolicy: TrustPolicyEntry): PreparedTrustPolicy {
    const cached = this.#prepared.get(trustPolicy.contentHash);
    if (cached) return cached;
    const document = parseTrustPolicyStatements(trustPolicy.document.trustPolicies, trustPolicy.document.version, `TrustPolicy ${trustPolicy.name}`);
    const trustStore = MemoryTrustStore.fromBundles(
      [...trustPolicy.trustStores.values()].map((store) => ({ type: store.type, name: store.trustStoreName, caBundle: store.caBundle })),
    );
    const prepared = { document, trustStore };
    this.#prepared.set(trustPolicy.contentHash, prepared);
    return prepared;
  }

  async resolve(request: ResolveRequest): Promise<Descriptor> {
    const { reference } = request;
    const store = this.#client(request.insecure).repository(reference.registry, reference.repository);
    const target = reference.digest ?? reference.tag ?? DEFAULT_TAG;
    return observed(this.#options.onRegistryOperation, reference.registry, 'resolve', () => store.resolve(target, { signal: request.signal }));
  }

  async verify(request: VerifyRequest): Promise<ImageVerificationResult> {
    const reference = formatReference(request.reference);
    let prepared: PreparedTrustPolicy;
    try {
      prepared = this.#prepare(request.trustPolicy);
    } catch (err) {
      return failed(reference, err instanceof BaseError ? err : new NotaryError('INVALID_TRUST_POLICY', String(err)));
    }
    const { registry, repository } = request.reference;
    const store = pinnedStore(this.#client(request.insecure).repository(registry, repository), request.descriptor, registry, this.#options.onRegistryOperation);
    return verifyImage(reference, {
      store,
      scope: `${registry}/${repository}`,
      trustPolicy: prepared.document,
      trustStore: prepared.trustStore,
      maxSignatures: this.#options.maxSignatureAttempts,
      ...(this.#revocation ? { revocation: this.#revocation } : {}),
      ...(this.#plugins ? { plugins: this.#plugins } : {}),
      signal: request.signal,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.#secure.close(), this.#insecure === this.#secure ? undefined : this.#insecure.close()]);
  }
}
