// The registry client: configured once (credentials, plain HTTP / insecure per registry, limits, timeouts).
import { LRUCache } from 'lru-cache';
import type { Reference } from '../reference/index.js';
import { addressRuleOf, type AddressRule } from '../common/index.js';
import { Authenticator } from './auth/authenticator.js';
import { anonymousCredentials, type CredentialProvider } from './auth/credentials.js';
import { CLI_CREDENTIALS_REMEDY, DEFAULT_ALLOW_H2, DEFAULT_MAX_REQUESTS_PER_REGISTRY, USER_AGENT, WARM_UP_REQUESTS } from './constants.js';
import { OciError } from './errors.js';
import { HostLimit, type HostSlot } from './host-limit.js';
import { ReferrersApiKnowledge } from './referrers-api.js';
import { WarmUp } from './warm-up.js';
import { repositoryOptions, type RegistryLimits, type RegistryRequest, type RegistryTransport, type RepositoryOptions } from './registry-transport.js';
import { isLocalhost, registryBaseUrl } from './registry-url.js';
import { Repository } from './repository.js';
import {
  DEFAULT_RETRY_POLICY,
  DEFAULT_TIMEOUTS,
  header,
  HttpTransport,
  networkError,
  type HttpResponse,
  type RetryPolicy,
  type Timeouts,
} from './transport.js';

export interface RegistryHostOptions {
  /** Talk HTTP instead of HTTPS. */
  plainHttp?: boolean;
  /** Skip TLS certificate verification. */
  insecure?: boolean;
}

export interface RegistryClientOptions {
  /** Default: anonymous. See `dockerConfigCredentials`, `staticCredentials`, `chainCredentials`. */
  credentials?: CredentialProvider;
  /** Plain HTTP for every registry (CLI `--plain-http`). */
  plainHttp?: boolean;
  /** Skip TLS verification for every registry (CLI `--insecure`). */
  insecure?: boolean;
  /** Per-registry settings (key: host[:port] as in references); they win over the global ones. */
  registries?: Record<string, RegistryHostOptions>;
  /** Use plain HTTP for localhost, 127.0.0.0/8 and [::1] unless a registry entry says otherwise. */
  plainHttpForLocalhost?: boolean;
  /**
   * Registries (host[:port] as in references) held to the public-address rule whatever their own address:
   * their redirects, Link/Location URLs and token realms may only lead to public addresses. Registries
   * on public addresses are held to it anyway (see address.ts); this adds e.g. a registry reached through
   * a private endpoint that must still not send us into the private network.
   */
  publicRegistries?: string[];
  limits?: Partial<RegistryLimits>;
  /**
   * Requests in flight to one registry at once (default 64; the connection pool per registry has as many
   * connections). The bound halves while the registry answers 429 and grows back (see host-limit.ts).
   */
  maxRequestsPerRegistry?: number;
  /** Offer HTTP/2 to TLS registries (default true). */
  allowH2?: boolean;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  /** Blobs up to this size are uploaded with one PUT; larger ones in chunks. */
  monolithicUploadMaxBytes?: number;
  uploadChunkBytes?: number;
  /** Keep the referrers tag index of pushed referrers even where the Referrers API is served. */
  forceReferrersTag?: boolean;
  userAgent?: string;
  /**
   * What a registry's "requires a username and password" error tells the user to do; each surface
   * names its own remedy (the CLI's flags by default; the service its --imagePullSecrets).
   */
  credentialsRemedy?: string;
}

/** Most Repository objects kept (they cache Referrers API support per repository). */
const MAX_CACHED_REPOSITORIES = 1000;
/** How long a registry's address rule (from resolving its name) is kept. */
const ADDRESS_RULE_TTL_MS = 60_000;

/**
 * A 401 from an origin a redirect led to: the registry's credentials are never sent there and its
 * WWW-Authenticate never becomes the registry's auth state (it would send them to the realm it names).
 */
async function refuseForeignChallenge(res: HttpResponse, registry: string, what: string): Promise<never> {
  await res.body.dump();
  throw new OciError('UNAUTHORIZED', `${what}: ${res.url.origin}, where ${registry} redirected us, asks for credentials; the credentials of ${registry} are not sent to another origin`, { status: 401 });
}

export class RegistryClient implements RegistryTransport {
  /** What each Repository of this client is given (by value). */
  readonly repositoryOptions: RepositoryOptions;
  private readonly options: RegistryClientOptions;
  private readonly transport: HttpTransport;
  private readonly authenticator: Authenticator;
  private readonly repositories = new LRUCache<string, Repository>({ max: MAX_CACHED_REPOSITORIES });
  private readonly addressRules = new LRUCache<string, Promise<AddressRule>>({ max: MAX_CACHED_REPOSITORIES, ttl: ADDRESS_RULE_TTL_MS });
  /** Per registry: its bound of requests in flight, and what it has shown about the Referrers API. */
  private readonly hostLimits = new LRUCache<string, HostLimit>({ max: MAX_CACHED_REPOSITORIES });
  private readonly referrersApi = new LRUCache<string, ReferrersApiKnowledge>({ max: MAX_CACHED_REPOSITORIES });
  private readonly maxRequestsPerRegistry: number;
  /** Per registry: whether it has answered this client once; until then few requests go first (see send). */
  private readonly warmUps = new LRUCache<string, WarmUp>({ max: MAX_CACHED_REPOSITORIES });
  /** Per registry: its plain-HTTP and TLS settings and, once a request needs it, the origin they give; each worked out once. */
  private readonly hosts = new LRUCache<string, { settings: Readonly<Required<RegistryHostOptions>>; origin?: string }>({ max: MAX_CACHED_REPOSITORIES });

  constructor(options: RegistryClientOptions = {}) {
    this.options = options;
    this.repositoryOptions = repositoryOptions(options);
    this.maxRequestsPerRegistry = options.maxRequestsPerRegistry ?? DEFAULT_MAX_REQUESTS_PER_REGISTRY;
    if (!Number.isSafeInteger(this.maxRequestsPerRegistry) || this.maxRequestsPerRegistry <= 0) {
      throw new OciError('INVALID_ARGUMENT', `maxRequestsPerRegistry must be a positive integer, got ${this.maxRequestsPerRegistry}`);
    }
    this.transport = new HttpTransport({
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      userAgent: options.userAgent ?? USER_AGENT,
      connectionsPerOrigin: this.maxRequestsPerRegistry,
      allowH2: options.allowH2 ?? DEFAULT_ALLOW_H2,
    });
    this.authenticator = new Authenticator({
      transport: this.transport,
      credentials: options.credentials ?? anonymousCredentials,
      credentialsRemedy: options.credentialsRemedy ?? CLI_CREDENTIALS_REMEDY,
      insecureFor: (host) => this.hostOptions(host).insecure,
      addressRuleFor: (registry) => this.addressRule(registry),
    });
  }

  /** The repository `repository` of `registry` (e.g. `ghcr.io`, `org/app`) as an ArtifactStore. */
  repository(registry: string, repository: string): Repository {
    const key = `${registry}/${repository}`;
    let found = this.repositories.get(key);
    if (!found) {
      found = new Repository(this, registry, repository, this.repositoryOptions, this.referrersApiOf(registry));
      this.repositories.set(key, found);
    }
    return found;
  }

  /** The repository a parsed reference names. */
  repositoryFor(reference: Pick<Reference, 'registry' | 'repository'>): Repository {
    return this.repository(reference.registry, reference.repository);
  }

  /** What this client has seen of `registry`'s Referrers API, shared by its repositories (one probe per registry). */
  private referrersApiOf(registry: string): ReferrersApiKnowledge {
    let found = this.referrersApi.get(registry);
    if (!found) {
      found = new ReferrersApiKnowledge();
      this.referrersApi.set(registry, found);
    }
    return found;
  }

  /** The bound of requests in flight to `registry` (its current value and the requests in flight: tests, metrics). */
  hostLimit(registry: string): HostLimit {
    let found = this.hostLimits.get(registry);
    if (!found) {
      found = new HostLimit(this.maxRequestsPerRegistry);
      this.hostLimits.set(registry, found);
    }
    return found;
  }

  /** Effective plain-HTTP and TLS settings for a registry host. */
  hostOptions(registry: string): Readonly<Required<RegistryHostOptions>> {
    return this.host(registry).settings;
  }

  private host(registry: string): { settings: Readonly<Required<RegistryHostOptions>>; origin?: string } {
    let found = this.hosts.get(registry);
    if (!found) {
      const specific = this.options.registries?.[registry];
      const local = Boolean(this.options.plainHttpForLocalhost) && isLocalhost(registry);
      const settings = Object.freeze({
        plainHttp: specific?.plainHttp ?? this.options.plainHttp ?? local,
        insecure: specific?.insecure ?? this.options.insecure ?? false,
      });
      found = { settings };
      this.hosts.set(registry, found);
    }
    return found;
  }

  /**
   * Where `registry` may send us (redirects, Link/Location URLs, token realms): `public` for a registry on
   * a public address or listed in `publicRegistries`, `any` for one on a loopback, link-local or private address.
   */
  addressRule(registry: string): Promise<AddressRule> {
    if (this.options.publicRegistries?.includes(registry)) return Promise.resolve('public');
    let rule = this.addressRules.get(registry);
    if (!rule) {
      rule = addressRuleOf(this.baseUrl(registry).hostname);
      this.addressRules.set(registry, rule);
    }
    return rule;
  }

  /** `https://registry-1.docker.io` for docker.io; `http(s)://<host>` otherwise (a new URL each call: callers may change it). */
  baseUrl(registry: string): URL {
    return new URL(this.origin(registry));
  }

  /** The origin of `registry`'s base URL (every request needs it). */
  private origin(registry: string): string {
    const host = this.host(registry);
    return (host.origin ??= registryBaseUrl(registry, host.settings.plainHttp).origin);
  }

  /**
   * Send a request with auth: known schemes up front, else answer the 401 challenge once. Waits for a slot
   * of the registry's bound first and holds it until the answer's headers are in (retries included).
   *
   * The first requests to a registry (warm-up: WARM_UP_REQUESTS, an image's HEAD and its signature listing)
   * go alone: the others wait for an answer, so they find its connection open (HTTP/2: one connection for all
   * of them), its auth scheme learnt (no 401 each) and a token fetched, instead of 50 handshakes and 50
   * challenges at once.
   */
  async send(registry: string, req: RegistryRequest): Promise<HttpResponse> {
    let slot;
    let first;
    try {
      const warmUp = this.warmUpOf(registry);
      first = warmUp.warm ? undefined : await warmUp.enter(req.signal);
      slot = await this.hostLimit(registry).acquire(req.signal);
    } catch (err) {
      first?.(false);
      throw networkError(err, req.what, req.signal);
    }
    let answered = false;
    try {
      const res = await this.sendWithin(registry, req, slot);
      answered = true;
      return res;
    } finally {
      slot.release();
      first?.(answered);
    }
  }

  private warmUpOf(registry: string): WarmUp {
    let found = this.warmUps.get(registry);
    if (!found) {
      found = new WarmUp(WARM_UP_REQUESTS);
      this.warmUps.set(registry, found);
    }
    return found;
  }

  private async sendWithin(registry: string, req: RegistryRequest, slot: HostSlot): Promise<HttpResponse> {
    const origin = this.origin(registry);
    const url = new URL(req.url, origin);
    // A URL the registry handed us (Link, Location) may name another origin: the registry's
    // credentials and TLS exemption stay with the registry, as on a cross-origin redirect.
    const foreign = url.origin !== origin;
    const base = {
      method: req.method,
      url,
      ...(req.body ? { body: req.body } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      idempotent: req.idempotent,
      insecure: foreign ? false : this.hostOptions(registry).insecure,
      what: req.what,
      redirectAddresses: () => this.addressRule(registry),
      onResponse: (status: number) => {
        if (status === 429) slot.throttled();
      },
    };
    if (foreign) {
      const res = await this.transport.send({ ...base, headers: { ...req.headers }, addresses: await this.addressRule(registry) });
      if (res.status === 401) {
        await res.body.dump();
        throw new OciError('UNAUTHORIZED', `${req.what}: ${url.origin}, where ${registry} sent us, asks for credentials; the credentials of ${registry} are not sent to another origin`, { status: 401 });
      }
      // Not the registry's answer: treated like a redirected one (its body is never quoted).
      return { ...res, redirected: true };
    }
    const upfront = await this.authenticator.authorization(registry, req.scopes, req.signal);
    const first = await this.transport.send({ ...base, headers: { ...req.headers, ...(upfront ? { authorization: upfront } : {}) } });
    if (first.status !== 401) return first;
    // A redirect may have led to another origin: its challenge is not the registry's (see below).
    if (first.url.origin !== url.origin) await refuseForeignChallenge(first, registry, req.what);
    const challenge = header(first.headers, 'www-authenticate');
    await first.body.dump();
    const answer = await this.authenticator.respond(registry, challenge, req.scopes, req.what, req.signal);
    const second = await this.transport.send({ ...base, headers: { ...req.headers, authorization: answer } });
    if (second.status === 401) {
      if (second.url.origin !== url.origin) await refuseForeignChallenge(second, registry, req.what);
      await second.body.dump();
      this.authenticator.forgetCredentials(registry);
      throw new OciError('UNAUTHORIZED', `${req.what}: ${registry} rejected the credentials (HTTP 401); check the username/password or registry config`, { status: 401 });
    }
    return second;
  }

  /** Close pooled connections. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
