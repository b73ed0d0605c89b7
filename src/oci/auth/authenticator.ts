// Answers registry auth challenges: Basic, or the Bearer token flow with per-scope token caching.
import { LRUCache } from 'lru-cache';
import * as z from 'zod';
import { readLimited } from '../body.js';
import { DEFAULT_TOKEN_EXPIRES_SECONDS, MAX_AUXILIARY_RESPONSE_BYTES, TOKEN_EXPIRY_LEEWAY_MS, USER_AGENT } from '../constants.js';
import type { AddressRule } from '../../common/index.js';
import { checkJsonDepth } from '../document.js';
import { OciError } from '../errors.js';
import { abandon, networkError, type HttpTransport } from '../transport.js';
import { parseChallenges } from './challenge.js';
import type { Credential, CredentialProvider } from './credentials.js';
import { mergeScopes } from './scope.js';

/** Most cached tokens (one per registry and scope set). */
const MAX_CACHED_TOKENS = 1000;
/** Credentials are looked up again after this, so rotated secrets (helpers, config edits) are picked up. */
const CREDENTIALS_CACHE_TTL_MS = 10 * 60_000;
const MAX_CACHED_CREDENTIALS = 1000;

const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().positive().optional(),
  issued_at: z.string().optional(),
});

interface RegistryAuthState {
  scheme: 'basic' | 'bearer';
  realm?: string;
  service?: string;
}

export interface AuthenticatorOptions {
  transport: HttpTransport;
  credentials: CredentialProvider;
  /** Whether TLS verification is skipped for a host (token realms may live on the registry's host). */
  insecureFor: (host: string) => boolean;
  /** Addresses the token realm a registry names may reach (see ../address.ts). */
  addressRuleFor?: (registry: string) => Promise<AddressRule>;
  clientId?: string;
  /** Appended to "requires a username and password; " (the surface's own way to give credentials). */
  credentialsRemedy: string;
}

function basicHeader(credential: Credential): string {
  return `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`).toString('base64')}`;
}

function hasBasic(credential: Credential | undefined): credential is Credential {
  return credential?.username !== undefined && credential.password !== undefined;
}

export class Authenticator {
  private readonly options: AuthenticatorOptions;
  private readonly states = new Map<string, RegistryAuthState>();
  private readonly credentialsByRegistry = new LRUCache<string, Promise<Credential | undefined>>({ max: MAX_CACHED_CREDENTIALS, ttl: CREDENTIALS_CACHE_TTL_MS });
  private readonly tokens = new LRUCache<string, string>({ max: MAX_CACHED_TOKENS, ttlAutopurge: false });
  /** Concurrent requests for the same token share one fetch. */
  private readonly pending = new Map<string, Promise<string>>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
  }

  private credential(registry: string, signal?: AbortSignal): Promise<Credential | undefined> {
    let found = this.credentialsByRegistry.get(registry);
    if (!found) {
      found = this.options.credentials(registry, signal);
      // A failed lookup is not cached: the next request tries again.
      found.catch(() => this.credentialsByRegistry.delete(registry));
      this.credentialsByRegistry.set(registry, found);
    }
    return found;
  }

  /**
   * Look the registry's credentials up afresh next time: the registry rejected them (or asked for
   * some we did not have), so a rotated password or a new pull secret counts at the next request,
   * not only when the lookup cache expires.
   */
  forgetCredentials(registry: string): void {
    this.credentialsByRegistry.delete(registry);
  }

  /** The Authorization header to send up front, when the registry's scheme is already known. */
  async authorization(registry: string, scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    const state = this.states.get(registry);
    if (!state) return undefined;
    const credential = await this.credential(registry, signal);
    if (state.scheme === 'basic') return hasBasic(credential) ? basicHeader(credential) : undefined;
    return this.bearer(registry, state, mergeScopes(scopes), credential, false, signal);
  }

  /** Answer a 401: learn the scheme from the challenge and return a fresh Authorization header. */
  async respond(registry: string, wwwAuthenticate: string | undefined, scopes: string[], what: string, signal?: AbortSignal): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    const credential = await this.credential(registry, signal);
    if (bearer) {
      const state: RegistryAuthState = { scheme: 'bearer', realm: bearer.params.realm as string };
      if (bearer.params.service !== undefined) state.service = bearer.params.service;
      this.states.set(registry, state);
      const merged = mergeScopes([...scopes, ...(bearer.params.scope ? [bearer.params.scope] : [])]);
      return this.bearer(registry, state, merged, credential, true, signal);
    }
    if (basic) {
      this.states.set(registry, { scheme: 'basic' });
      if (!hasBasic(credential)) {
        this.forgetCredentials(registry);
        throw new OciError('UNAUTHORIZED', `${what}: ${registry} requires a username and password; ${this.options.credentialsRemedy}`, { status: 401 });
      }
      return basicHeader(credential);
    }
    throw new OciError('UNAUTHORIZED', `${what}: ${registry} answered 401 without a Basic or Bearer challenge we can answer`, { status: 401 });
  }

  private async bearer(registry: string, state: RegistryAuthState, scopes: string[], credential: Credential | undefined, fresh: boolean, signal?: AbortSignal): Promise<string> {
    if (credential?.registryToken) return `Bearer ${credential.registryToken}`;
    const key = `${registry} ${scopes.join(' ')}`;
    if (fresh) this.tokens.delete(key);
    const cached = this.tokens.get(key);
    if (cached) return `Bearer ${cached}`;
    let inflight = this.pending.get(key);
    if (!inflight) {
      inflight = this.fetchToken(registry, state, scopes, credential, signal).finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    try {
      return `Bearer ${await inflight}`;
    } catch (err) {
      // The realm a challenge named gives no token (down, refused, moved): forget it, so the registry's next 401 says
      // again where tokens come from, instead of every later request failing on this realm until a restart.
      if (this.states.get(registry) === state && !signal?.aborted) this.states.delete(registry);
      throw err;
    }
  }

  private async fetchToken(registry: string, state: RegistryAuthState, scopes: string[], credential: Credential | undefined, signal?: AbortSignal): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(state.realm as string);
    } catch {
      throw new OciError('REGISTRY_ERROR', `${registry} named a token realm that is not a URL`);
    }
    if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
      throw new OciError('REGISTRY_ERROR', `${registry} named a token realm with scheme ${realm.protocol}; only http(s) is allowed`);
    }
    const what = `token request to ${realm.origin} for ${registry}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: Uint8Array | undefined;
    let method: 'GET' | 'POST' = 'GET';
    if (credential?.identityToken) {
      // OAuth2 refresh-token grant, as docker does with an identity token.
      method = 'POST';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: this.options.clientId ?? USER_AGENT });
      if (state.service) form.set('service', state.service);
      if (scopes.length) form.set('scope', scopes.join(' '));
      body = new TextEncoder().encode(form.toString());
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else {
      if (state.service) realm.searchParams.set('service', state.service);
      for (const scope of scopes) realm.searchParams.append('scope', scope);
      if (hasBasic(credential)) headers.authorization = basicHeader(credential);
    }
    const res = await this.options.transport.send({
      method,
      url: realm,
      headers,
      ...(body ? { body } : {}),
      ...(signal ? { signal } : {}),
      idempotent: true,
      insecure: this.options.insecureFor(realm.host),
      what,
      ...(this.options.addressRuleFor ? { addresses: await this.options.addressRuleFor(registry) } : {}),
    });
    if (res.status === 401 || res.status === 403) {
      await res.body.dump();
      this.forgetCredentials(registry);
      throw new OciError('UNAUTHORIZED', `${what}: the token server refused ${credential ? 'the credentials' : 'anonymous access'} (HTTP ${res.status}); check the username/password or registry config`, { status: res.status });
    }
    if (res.status !== 200) {
      await res.body.dump();
      throw new OciError(res.status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_ERROR', `${what}: the token server answered HTTP ${res.status}`, { status: res.status });
    }
    let parsed: z.infer<typeof tokenResponseSchema>;
    try {
      const { bytes } = await readLimited(res.body, MAX_AUXILIARY_RESPONSE_BYTES, () => new OciError('SIZE_LIMIT_EXCEEDED', `${what}: the token response is larger than ${MAX_AUXILIARY_RESPONSE_BYTES} bytes`), {
        stop: () => abandon(res.body),
      });
      checkJsonDepth(bytes, `${what}: the token response`);
      parsed = tokenResponseSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
    } catch (err) {
      if (err instanceof OciError) throw err;
      if (err instanceof z.ZodError || err instanceof SyntaxError) {
        throw new OciError('REGISTRY_ERROR', `${what}: the token server's answer is not the token JSON of the distribution spec`);
      }
      throw networkError(err, what, signal);
    }
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new OciError('REGISTRY_ERROR', `${what}: the token server's answer has no token`);
    const lifetimeMs = (parsed.expires_in ?? DEFAULT_TOKEN_EXPIRES_SECONDS) * 1000;
    const issuedAt = parsed.issued_at ? Date.parse(parsed.issued_at) : NaN;
    const expiresAt = (Number.isNaN(issuedAt) ? Date.now() : Math.min(issuedAt, Date.now())) + lifetimeMs;
    const remaining = expiresAt - Date.now();
    // Refresh a little early; short-lived tokens are kept for half their remaining life.
    const ttl = Math.floor(remaining > 2 * TOKEN_EXPIRY_LEEWAY_MS ? remaining - TOKEN_EXPIRY_LEEWAY_MS : remaining / 2);
    if (ttl > 0) this.tokens.set(`${registry} ${scopes.join(' ')}`, token, { ttl });
    return token;
  }
}
