// A double of an OCI distribution registry with the OCI 1.1 Referrers API, in memory, on loopback.
// It stands in for registries that serve /v2/<name>/referrers/<digest> (paginated, artifactType
// filter), which Debian's docker-registry 2.8 does not; it can also inject faults (429/5xx with
// Retry-After) and serve tampered content, which a real registry refuses to do.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttpDouble, readRequestBody } from './http-double.js';

const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';

export interface ReferrersRegistryDoubleOptions {
  /** Referrers per Referrers API page (Link header for the next); default 100. */
  pageSize?: number;
  /** Serve the Referrers API (default true); false answers 404 like a registry without it. */
  referrersApi?: boolean;
  /** Honour `artifactType` (default true); false ignores the filter and omits OCI-Filters-Applied. */
  filterArtifactType?: boolean;
}

/**
 * Answers a request in place of the double (hostile registries: oversized or endless answers, redirects,
 * challenges); returns false to let the double answer. Set with `intercept`.
 */
export type Interceptor = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;

export interface Fault {
  method?: string;
  /** The request path (without query) must contain this. */
  pathIncludes?: string;
  status: number;
  /** Sent as `Retry-After` (seconds, or an HTTP date string). */
  retryAfter?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Registry error code of the body (default TOOMANYREQUESTS for 429, else UNAVAILABLE). */
  code?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The Authorization header sent, if any. */
  authorization?: string;
  /** Milliseconds since the double started. */
  at: number;
}

interface StoredManifest {
  bytes: Buffer;
  mediaType: string;
}

interface RepositoryData {
  manifests: Map<string, StoredManifest>;
  tags: Map<string, string>;
  blobs: Map<string, Buffer>;
}

export interface ReferrersRegistryDouble {
  /** `127.0.0.1:<port>` */
  host: string;
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Fail the next matching requests. */
  addFault(fault: Fault): void;
  /** Answer requests with `interceptor` first (undefined removes it). */
  intercept(interceptor: Interceptor | undefined): void;
  /** Replace what is served for a digest (manifest or blob) without changing its address. */
  tamper(repository: string, digest: string, bytes: Uint8Array): void;
  stop(): Promise<void>;
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message }] });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startReferrersRegistryDouble(options: ReferrersRegistryDoubleOptions = {}): Promise<ReferrersRegistryDouble> {
  const pageSize = options.pageSize ?? 100;
  const repositories = new Map<string, RepositoryData>();
  const uploads = new Map<string, { repository: string; data: Buffer[] }>();
  const faults: Array<Required<Pick<Fault, 'status'>> & Fault & { remaining: number }> = [];
  const requests: RecordedRequest[] = [];
  const started = Date.now();
  let interceptor: Interceptor | undefined;

  const repo = (name: string): RepositoryData => {
    let found = repositories.get(name);
    if (!found) {
      found = { manifests: new Map(), tags: new Map(), blobs: new Map() };
      repositories.set(name, found);
    }
    return found;
  };

  const referrersOf = (data: RepositoryData, subject: string): Array<Record<string, unknown>> => {
    const out: Array<Record<string, unknown>> = [];
    for (const [digest, stored] of data.manifests) {
      const manifest = JSON.parse(stored.bytes.toString('utf8')) as {
        subject?: { digest?: string };
        artifactType?: string;
        config?: { mediaType?: string };
        annotations?: Record<string, string>;
      };
      if (manifest.subject?.digest !== subject) continue;
      const descriptor: Record<string, unknown> = { mediaType: stored.mediaType, digest, size: stored.bytes.length };
      if (manifest.annotations) descriptor.annotations = manifest.annotations;
      const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
      if (artifactType) descriptor.artifactType = artifactType;
      out.push(descriptor);
    }
    return out.sort((a, b) => String(a.digest).localeCompare(String(b.digest)));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://double');
    const method = req.method ?? 'GET';
    requests.push({ method, path: url.pathname, at: Date.now() - started, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    if (interceptor?.(req, res, url)) return;
    const fault = faults.find((f) => f.remaining > 0 && (!f.method || f.method === method) && (!f.pathIncludes || url.pathname.includes(f.pathIncludes)));
    if (fault) {
      fault.remaining -= 1;
      await readRequestBody(req);
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', fault.retryAfter);
      sendError(res, fault.status, fault.code ?? (fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE'), 'injected fault');
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'content-type': 'application/json', 'docker-distribution-api-version': 'registry/2.0' });
      res.end('{}');
      return;
    }
    let match = /^\/v2\/(.+?)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    if (match) {
      const name = match[1] as string;
      const id = match[2] as string;
      const body = await readRequestBody(req);
      if (method === 'POST') {
        const mount = url.searchParams.get('mount');
        const from = url.searchParams.get('from');
        const source = from ? repositories.get(from)?.blobs.get(mount ?? '') : undefined;
        if (mount && source) {
          repo(name).blobs.set(mount, source);
          res.writeHead(201, { location: `/v2/${name}/blobs/${mount}`, 'docker-content-digest': mount });
          res.end();
          return;
        }
        const uuid = randomUUID();
        uploads.set(uuid, { repository: name, data: [] });
        res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${uuid}`, 'docker-upload-uuid': uuid, range: '0-0' });
        res.end();
        return;
      }
      const upload = uploads.get(id);
      if (!upload) return sendError(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
      if (method === 'PATCH') {
        upload.data.push(body);
        const size = upload.data.reduce((n, b) => n + b.length, 0);
        res.writeHead(202, { location: `/v2/${name}/blobs/uploads/${id}`, range: `0-${size - 1}` });
        res.end();
        return;
      }
      if (method === 'PUT') {
        upload.data.push(body);
        const blob = Buffer.concat(upload.data);
        const digest = url.searchParams.get('digest') ?? '';
        if (sha256(blob) !== digest) return sendError(res, 400, 'DIGEST_INVALID', 'digest does not match');
        repo(name).blobs.set(digest, blob);
        uploads.delete(id);
        res.writeHead(201, { location: `/v2/${name}/blobs/${digest}`, 'docker-content-digest': digest });
        res.end();
        return;
      }
      if (method === 'DELETE') {
        uploads.delete(id);
        res.writeHead(204);
        res.end();
        return;
      }
    }
    match = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const name = match[1] as string;
      const kind = match[2] as string;
      const reference = match[3] as string;
      const data = repo(name);
      if (kind === 'referrers') {
        if (options.referrersApi === false) return sendError(res, 404, 'NOT_FOUND', 'page not found');
        const filter = options.filterArtifactType === false ? null : url.searchParams.get('artifactType');
        let all = referrersOf(data, reference);
        if (filter) all = all.filter((d) => d.artifactType === filter);
        const last = url.searchParams.get('last');
        const start = last ? all.findIndex((d) => d.digest === last) + 1 : 0;
        const page = all.slice(start, start + pageSize);
        const headers: Record<string, string> = { 'content-type': INDEX_MEDIA_TYPE };
        if (filter) headers['oci-filters-applied'] = 'artifactType';
        if (start + pageSize < all.length) {
          const next = new URLSearchParams(url.searchParams);
          next.set('last', String(page.at(-1)?.digest));
          headers.link = `</v2/${name}/referrers/${reference}?${next}>; rel="next"`;
        }
        const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX_MEDIA_TYPE, manifests: page });
        res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      if (kind === 'blobs') {
        const blob = data.blobs.get(reference);
        if (!blob) return sendError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length, 'docker-content-digest': reference });
        res.end(method === 'HEAD' ? undefined : blob);
        return;
      }
      if (method === 'PUT') {
        const body = await readRequestBody(req);
        const digest = sha256(body);
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0] as string;
        data.manifests.set(digest, { bytes: body, mediaType });
        if (!reference.startsWith('sha256:')) data.tags.set(reference, digest);
        const headers: Record<string, string> = { location: `/v2/${name}/manifests/${digest}`, 'docker-content-digest': digest };
        const subject = (JSON.parse(body.toString('utf8')) as { subject?: { digest?: string } }).subject?.digest;
        if (subject && options.referrersApi !== false) headers['oci-subject'] = subject;
        res.writeHead(201, headers);
        res.end();
        return;
      }
      const digest = reference.includes(':') ? reference : data.tags.get(reference);
      const stored = digest ? data.manifests.get(digest) : undefined;
      if (!digest || !stored) return sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'content-type': stored.mediaType, 'content-length': stored.bytes.length, 'docker-content-digest': digest });
      res.end(method === 'HEAD' ? undefined : stored.bytes);
      return;
    }
    sendError(res, 404, 'NOT_FOUND', 'page not found');
  };

  const server = await listenHttpDouble((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'UNKNOWN', String(err));
      else res.destroy();
    });
  });
  return {
    host: `127.0.0.1:${server.port}`,
    url: server.url,
    requests,
    intercept(next) {
      interceptor = next;
    },
    addFault(fault) {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    tamper(repository, digest, bytes) {
      const data = repo(repository);
      const manifest = data.manifests.get(digest);
      if (manifest) data.manifests.set(digest, { ...manifest, bytes: Buffer.from(bytes) });
      else data.blobs.set(digest, Buffer.from(bytes));
    },
    stop: server.stop,
  };
}
