// A protocol-level double of the Kubernetes API endpoints imgverify uses (no API server can run here), reached over HTTPS through @kubernetes/client-node.
//
// What it speaks, as the API server does: list and watch (`?watch=true`) with resourceVersion,
// BOOKMARK events when `allowWatchBookmarks=true`, `ERROR` 410 Expired for a resourceVersion
// older than the compacted history, `timeoutSeconds`, `fieldSelector=metadata.name=X`; create
// (409 AlreadyExists), get (404), replace with optimistic concurrency (409 Conflict on a stale
// resourceVersion), delete; TokenReview (authentication.k8s.io/v1, with audiences); bearer
// authentication of the caller; a collection path without a namespace lists and watches every
// namespace's objects, and `…/name/status` replaces the status alone. What it does not: admission, defaulting, schema validation,
// label selectors, patch, server-side apply.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGeneratedTls } from '../../src/service/tls.js';
import { readRequestBody } from './http-double.js';

/** A stored object: any Kubernetes object with metadata. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Where a collection lives: `/apis/<group>/<version>` or `/api/v1`, the namespace (none: cluster-scoped) and the plural. */
export interface Collection {
  prefix: string;
  namespace?: string;
  plural: string;
}

/** What a TokenReview says about a token the double knows. */
export interface KnownToken {
  username: string;
  /** Audiences the token was issued for (default: the API server's own). */
  audiences?: string[];
}

export interface KubernetesApiDoubleOptions {
  /** The token clients must send (the service account token in the kubeconfig). */
  clientToken?: string;
  /** Interval of BOOKMARK events on watches that asked for them. */
  bookmarkIntervalMs?: number;
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface HistoryEntry {
  resourceVersion: number;
  key: string;
  type: WatchEventType;
  object: KubeObject;
}

interface OpenWatch {
  /** The collection key, or `prefix|*|plural` for every namespace. */
  key: string;
  name?: string;
  response: ServerResponse;
  bookmark?: NodeJS.Timeout;
  timeout?: NodeJS.Timeout;
}

/** The audience of tokens issued without one, as the API server's default. */
export const API_SERVER_AUDIENCE = 'https://kubernetes.default.svc';

const PATH = /^\/(api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(\/status)?$/;

function collectionKey(collection: Collection): string {
  return `${collection.prefix}|${collection.namespace ?? ''}|${collection.plural}`;
}

/** Whether an object of collection `key` belongs to what a list or watch of `wanted` (maybe `prefix|*|plural`) sees. */
function inCollection(wanted: string, key: string): boolean {
  const [prefix, namespace, plural] = wanted.split('|');
  return namespace === '*' ? key.startsWith(`${prefix ?? ''}|`) && key.endsWith(`|${plural ?? ''}`) : key === wanted;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class KubernetesApiDouble {
  readonly clientToken: string;
  readonly tokens = new Map<string, KnownToken>();
  /** Bearer tokens accepted from clients (one per replica when a test must cut one replica off). */
  readonly clientTokens = new Set<string>();
  /** Every request as `METHOD path?query` (never headers): tests count API calls with it. */
  readonly requests: string[] = [];
  #options: Required<KubernetesApiDoubleOptions>;
  #objects = new Map<string, Map<string, KubeObject>>();
  #history: HistoryEntry[] = [];
  #resourceVersion = 1000;
  /** Watches from a resourceVersion at or below this get 410 Gone. */
  #compactedAt = 0;
  #watches = new Set<OpenWatch>();
  #sockets = new Set<Socket>();
  #server: Server | undefined;
  #down = false;
  #dir = '';
  caCert = '';
  url = '';

  constructor(options: KubernetesApiDoubleOptions = {}) {
    this.clientToken = options.clientToken ?? `client-${randomUUID()}`;
    this.clientTokens.add(this.clientToken);
    this.#options = { clientToken: this.clientToken, bookmarkIntervalMs: options.bookmarkIntervalMs ?? 200 };
  }

  async start(): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), 'imgverify-k8s-double-'));
    const tls = await ensureGeneratedTls({ certDir: this.#dir, hosts: ['127.0.0.1', 'localhost'] });
    this.caCert = tls.caCert ?? '';
    const server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
      this.#handle(request, response).catch((err: unknown) => {
        if (!response.headersSent) this.#json(response, 500, status(500, 'InternalError', String(err)));
      });
    });
    server.on('secureConnection', (socket: Socket) => {
      if (this.#down) return socket.destroy();
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    this.url = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.#server = server;
  }

  /** A kubeconfig (YAML) for this double, written to `dir/<file>`, with `token` (accepted from now on); returns its path. */
  async writeKubeconfig(dir: string, token = this.clientToken, file = 'kubeconfig'): Promise<string> {
    this.clientTokens.add(token);
    const path = join(dir, file);
    const ca = Buffer.from(this.caCert).toString('base64');
    await writeFile(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: double\n  cluster:\n    server: ${this.url}\n    certificate-authority-data: ${ca}`,
        'users:',
        `- name: imgverify\n  user:\n    token: ${token}`,
        'contexts:',
        '- name: double\n  context:\n    cluster: double\n    user: imgverify',
        'current-context: double',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    return path;
  }

  /** Create or replace an object as another client (kubectl) would: a new resourceVersion and a watch event. */
  upsert(collection: Collection, object: KubeObject): KubeObject {
    const key = collectionKey(collection);
    const existing = this.#objects.get(key)?.get(object.metadata.name);
    return this.#store(key, collection, object, existing ? 'MODIFIED' : 'ADDED', existing);
  }

  remove(collection: Collection, name: string): boolean {
    const key = collectionKey(collection);
    const existing = this.#objects.get(key)?.get(name);
    if (!existing) return false;
    this.#objects.get(key)?.delete(name);
    const resourceVersion = ++this.#resourceVersion;
    const object = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(resourceVersion) } };
    this.#record({ resourceVersion, key, type: 'DELETED', object });
    return true;
  }

  get(collection: Collection, name: string): KubeObject | undefined {
    return this.#objects.get(collectionKey(collection))?.get(name);
  }

  list(collection: Collection): KubeObject[] {
    return [...(this.#objects.get(collectionKey(collection))?.values() ?? [])];
  }

  /** Forget the event history: watches resuming from any resourceVersion seen so far get 410 Gone, as after etcd compaction. */
  compact(): void {
    this.#compactedAt = this.#resourceVersion;
    this.#history = [];
  }

  /** End every open watch, as the API server does when a watch times out or the server restarts. */
  dropWatches(): void {
    for (const watch of this.#watches) this.#endWatch(watch);
  }

  /** Unreachable (connections reset) until `setDown(false)`. */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) {
      for (const watch of this.#watches) this.#endWatch(watch);
      for (const socket of this.#sockets) socket.destroy();
    }
  }

  /** Open watches right now (per collection path, e.g. `/apis/notation.nirmata.io/v1alpha1|/trustpolicies`). */
  get openWatches(): number {
    return this.#watches.size;
  }

  async stop(): Promise<void> {
    this.setDown(true);
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    await rm(this.#dir, { recursive: true, force: true });
  }

  #store(key: string, collection: Collection, object: KubeObject, type: WatchEventType, existing: KubeObject | undefined): KubeObject {
    const resourceVersion = ++this.#resourceVersion;
    const stored: KubeObject = structuredClone({
      ...object,
      metadata: {
        ...object.metadata,
        ...(collection.namespace ? { namespace: collection.namespace } : {}),
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(resourceVersion),
        creationTimestamp: (existing?.metadata.creationTimestamp as string | undefined) ?? new Date().toISOString(),
      },
    });
    let objects = this.#objects.get(key);
    if (!objects) this.#objects.set(key, (objects = new Map()));
    objects.set(stored.metadata.name, stored);
    this.#record({ resourceVersion, key, type, object: stored });
    return stored;
  }

  #record(entry: HistoryEntry): void {
    this.#history.push(entry);
    for (const watch of this.#watches) {
      if (inCollection(watch.key, entry.key) && (!watch.name || watch.name === entry.object.metadata.name)) this.#send(watch, entry.type, entry.object);
    }
  }

  #send(watch: OpenWatch, type: string, object: unknown): void {
    watch.response.write(`${JSON.stringify({ type, object })}\n`);
  }

  #endWatch(watch: OpenWatch): void {
    clearInterval(watch.bookmark);
    clearTimeout(watch.timeout);
    this.#watches.delete(watch);
    watch.response.end();
  }

  #json(response: ServerResponse, code: number, body: unknown): void {
    response.writeHead(code, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#down) {
      request.socket.destroy();
      return;
    }
    const url = new URL(request.url ?? '/', 'https://double');
    const method = request.method ?? 'GET';
    this.requests.push(`${method} ${url.pathname}${url.search}`);
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !this.clientTokens.has(bearer)) {
      return this.#json(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const body = method === 'POST' || method === 'PUT' ? (JSON.parse((await readRequestBody(request, 1024 * 1024)).toString('utf8') || 'null') as KubeObject) : undefined;

    if (method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') return this.#tokenReview(response, body);

    const match = PATH.exec(url.pathname);
    if (!match) return this.#json(response, 404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
    const collection: Collection = { prefix: `/${match[1] as string}`, plural: match[3] as string, ...(match[2] ? { namespace: match[2] } : {}) };
    const key = collectionKey(collection);
    const name = match[4];
    const objects = this.#objects.get(key) ?? new Map<string, KubeObject>();
    const notFound = (n: string) => status(404, 'NotFound', `${collection.plural} "${n}" not found`);

    if (name === undefined) {
      const selected = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      // No namespace in the path: every namespace's objects (cluster-scoped ones have none).
      const seen = collection.namespace === undefined ? `${collection.prefix}|*|${collection.plural}` : key;
      if (method === 'GET' && url.searchParams.get('watch') === 'true') return this.#watch(seen, selected, url, response);
      if (method === 'GET') {
        const items = [...this.#objects.entries()].filter(([k]) => inCollection(seen, k)).flatMap(([, m]) => [...m.values()]).filter((o) => !selected || o.metadata.name === selected);
        return this.#json(response, 200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(this.#resourceVersion) }, items });
      }
      if (method === 'POST' && body) {
        const objectName = body.metadata.name ?? `${String(body.metadata.generateName ?? 'object-')}${randomUUID().slice(0, 5)}`;
        const object = { ...body, metadata: { ...body.metadata, name: objectName } };
        if (objects.has(objectName)) return this.#json(response, 409, status(409, 'AlreadyExists', `${collection.plural} "${objectName}" already exists`));
        return this.#json(response, 201, this.#store(key, collection, object, 'ADDED', undefined));
      }
      return this.#json(response, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
    }

    const existing = objects.get(name);
    if (method === 'GET') return existing ? this.#json(response, 200, existing) : this.#json(response, 404, notFound(name));
    if (method === 'DELETE') return this.remove(collection, name) ? this.#json(response, 200, status(200, '', 'deleted')) : this.#json(response, 404, notFound(name));
    if (method === 'PUT' && body) {
      if (!existing) return this.#json(response, 404, notFound(name));
      const replaced = match[5] ? { ...existing, status: body.status, metadata: { ...existing.metadata, resourceVersion: body.metadata.resourceVersion } } : body;
      if (body.metadata.resourceVersion !== existing.metadata.resourceVersion) {
        return this.#json(
          response,
          409,
          status(409, 'Conflict', `Operation cannot be fulfilled on ${collection.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`),
        );
      }
      return this.#json(response, 200, this.#store(key, collection, replaced, 'MODIFIED', existing));
    }
    return this.#json(response, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
  }

  #watch(key: string, name: string | undefined, url: URL, response: ServerResponse): void {
    const from = Number(url.searchParams.get('resourceVersion') || '0');
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const watch: OpenWatch = { key, response, ...(name ? { name } : {}) };
    if (from !== 0 && from <= this.#compactedAt) {
      this.#send(watch, 'ERROR', status(410, 'Expired', `too old resource version: ${from} (${this.#compactedAt + 1})`));
      response.end();
      return;
    }
    this.#watches.add(watch);
    response.on('close', () => this.#endWatch(watch));
    // From 0 (none given): the current state as ADDED events, as a watch without resourceVersion starts.
    const current = [...this.#objects.entries()].filter(([k]) => inCollection(key, k)).flatMap(([, m]) => [...m.values()]);
    const backlog = from === 0 ? current.map((object) => ({ type: 'ADDED' as const, object })) : this.#history.filter((e) => inCollection(key, e.key) && e.resourceVersion > from);
    for (const entry of backlog) if (!name || entry.object.metadata.name === name) this.#send(watch, entry.type, entry.object);
    if (url.searchParams.get('allowWatchBookmarks') === 'true') {
      watch.bookmark = setInterval(() => this.#send(watch, 'BOOKMARK', { kind: 'Bookmark', metadata: { resourceVersion: String(this.#resourceVersion) } }), this.#options.bookmarkIntervalMs);
    }
    const seconds = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    if (seconds > 0) watch.timeout = setTimeout(() => this.#endWatch(watch), seconds * 1000);
  }

  #tokenReview(response: ServerResponse, body: KubeObject | undefined): void {
    const spec = (body?.spec ?? {}) as { token?: unknown; audiences?: unknown };
    const token = typeof spec.token === 'string' ? spec.token : '';
    const wanted = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
    const known = this.tokens.get(token);
    const issuedFor = known?.audiences ?? [API_SERVER_AUDIENCE];
    const audiences = wanted.length === 0 ? issuedFor : wanted.filter((a) => issuedFor.includes(a));
    const authenticated = known !== undefined && audiences.length > 0;
    const result = authenticated
      ? { authenticated: true, user: { username: known.username, uid: randomUUID(), groups: ['system:serviceaccounts', 'system:authenticated'] }, audiences }
      : { authenticated: false, ...(known ? { error: '[invalid bearer token, token audiences ... is invalid for the target audience]' } : { error: 'invalid bearer token' }) };
    this.#json(response, 201, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: { creationTimestamp: null }, spec, status: result });
  }
}

/** The collections imgverify uses, as the double and the client name them. */
export const COLLECTIONS = {
  trustPolicies: { prefix: '/apis/notation.nirmata.io/v1alpha1', plural: 'trustpolicies' },
  trustStores: { prefix: '/apis/notation.nirmata.io/v1alpha1', plural: 'truststores' },
  secrets: (namespace: string): Collection => ({ prefix: '/api/v1', namespace, plural: 'secrets' }),
  configMaps: (namespace: string): Collection => ({ prefix: '/api/v1', namespace, plural: 'configmaps' }),
  leases: (namespace: string): Collection => ({ prefix: '/apis/coordination.k8s.io/v1', namespace, plural: 'leases' }),
  events: (namespace: string): Collection => ({ prefix: '/api/v1', namespace, plural: 'events' }),
} as const;

/** Start a double; stop it with `stop()`. */
export async function startKubernetesApiDouble(options: KubernetesApiDoubleOptions = {}): Promise<KubernetesApiDouble> {
  const double = new KubernetesApiDouble(options);
  await double.start();
  return double;
}
