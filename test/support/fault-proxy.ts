// A fault-injecting HTTP proxy double in front of a real registry: requests pass through unless a rule (method + path regex) injects a fault.
import { request as upstreamRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { listenHttpDouble, type HttpDoubleServer } from './http-double.js';

/** What the proxy does to a matching request. */
export type Fault =
  /** A TCP reset before any answer. */
  | { kind: 'drop' }
  /** Upstream's headers, half the body, then a TCP reset. */
  | { kind: 'reset' }
  /** Upstream's headers (the full Content-Length), half the body, then a clean close (FIN). */
  | { kind: 'truncate' }
  /** Upstream's headers, then the body one byte every `intervalMs`: always alive, never done in time. */
  | { kind: 'drip'; intervalMs: number }
  /** The request is read and never answered. */
  | { kind: 'stall' }
  /** This status (429, 503…) with an empty body, and `Retry-After` when given. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Upstream's answer with Docker-Content-Digest replaced by `digest`, or removed. */
  | { kind: 'digest'; digest: string | undefined }
  /** Upstream's answer for another path of the same method (a HEAD and a GET of one tag can then disagree). */
  | { kind: 'substitute'; path: string }
  /** Upstream's answer, `ms` late (requests then overlap, and the proxy's in-flight count shows how many at once). */
  | { kind: 'delay'; ms: number };

export interface FaultRule {
  /** Exact method (GET, HEAD…); any when absent. */
  method?: string;
  /** Tested against the path with its query. */
  path: RegExp;
  fault: Fault;
  /** Applied to this many requests, then the rule lets requests pass; unlimited when absent. */
  times?: number;
}

export interface AppliedRule {
  readonly rule: FaultRule;
  /** Requests the rule has been applied to so far. */
  readonly hits: number;
  /** Settles when the rule is first applied. */
  readonly firstHit: Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'te', 'trailer']);

interface UpstreamAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

export class FaultProxy {
  readonly #upstream: URL;
  readonly #server: HttpDoubleServer;
  /** No pooling upstream: every exchange has its own socket, so nothing of ours outlives a test. */
  readonly #agent = new Agent({ keepAlive: false });
  readonly #rules: Array<FaultRule & { hits: number; hit: () => void }> = [];
  readonly #sockets = new Set<Socket>();
  readonly #exchanges = new Set<ServerResponse>();
  #maxExchanges = 0;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Faults injected so far, by kind (a status fault by its status: `429`, `503`). */
  readonly injected: Record<string, number> = {};

  private constructor(upstream: URL, server: HttpDoubleServer) {
    this.#upstream = upstream;
    this.#server = server;
  }

  /** Listen on a loopback port in front of `upstream` (`http://host:port`). */
  static async start(upstream: string): Promise<FaultProxy> {
    const route: { to?: FaultProxy } = {};
    const server = await listenHttpDouble((req, res) => void route.to?.handle(req, res));
    route.to = new FaultProxy(new URL(upstream), server);
    return route.to;
  }

  /** `127.0.0.1:<port>`: the registry host images name to go through the proxy. */
  get host(): string {
    return `127.0.0.1:${this.#server.port}`;
  }

  /** Client connections open now (idle keep-alive ones included). */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Requests being answered now (a stalled or dripping one stays until its client goes away). */
  get openExchanges(): number {
    return this.#exchanges.size;
  }

  /** The most requests answered at the same time since the start or the last resetMaxOpenExchanges(). */
  get maxOpenExchanges(): number {
    return this.#maxExchanges;
  }

  resetMaxOpenExchanges(): void {
    this.#maxExchanges = this.#exchanges.size;
  }

  /** Add a rule; the first added rule that matches a request applies. */
  add(rule: FaultRule): AppliedRule {
    let hit!: () => void;
    const firstHit = new Promise<void>((resolve) => (hit = resolve));
    const entry = { ...rule, hits: 0, hit };
    this.#rules.push(entry);
    return {
      rule,
      firstHit,
      get hits() {
        return entry.hits;
      },
    };
  }

  clearRules(): void {
    this.#rules.length = 0;
  }

  /** Stop listening and drop every connection: from now on, connecting is refused. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
    await this.#server.stop();
    this.#agent.destroy();
  }

  private match(req: IncomingMessage): FaultRule | undefined {
    const rule = this.#rules.find(
      (candidate) =>
        (candidate.method === undefined || candidate.method === req.method) &&
        candidate.path.test(req.url ?? '') &&
        (candidate.times === undefined || candidate.hits < candidate.times),
    );
    if (!rule) return undefined;
    rule.hits += 1;
    const kind = rule.fault.kind === 'status' ? String(rule.fault.status) : rule.fault.kind;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    rule.hit();
    return rule;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket;
    if (!this.#sockets.has(socket)) {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    }
    this.#exchanges.add(res);
    this.#maxExchanges = Math.max(this.#maxExchanges, this.#exchanges.size);
    res.once('close', () => this.#exchanges.delete(res));
    try {
      const fault = this.match(req)?.fault;
      if (!fault) return void (await this.pass(req, res));
      await this.inject(fault, req, res);
    } catch {
      // The client went away mid-answer, or the registry did: nothing to tell anyone.
      res.destroy();
    }
  }

  /** Stream the request to the registry and its answer back, untouched. */
  private pass(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const out = upstreamRequest(
        new URL(req.url ?? '/', this.#upstream),
        { method: req.method, headers: { ...endToEnd(req.headers), host: this.#upstream.host }, agent: this.#agent },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
          answer.pipe(res);
          answer.once('end', resolve);
          answer.once('error', reject);
        },
      );
      out.once('error', reject);
      req.pipe(out);
    });
  }

  /** The registry's whole answer to `method path` (GETs of manifests and blobs are small here). */
  private fetch(method: string, path: string, headers: IncomingHttpHeaders): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      const out = upstreamRequest(
        new URL(path, this.#upstream),
        { method, headers: { ...endToEnd(headers), host: this.#upstream.host }, agent: this.#agent },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.once('end', () => resolve({ status: answer.statusCode ?? 502, headers: endToEnd(answer.headers), body: Buffer.concat(chunks) }));
          answer.once('error', reject);
        },
      );
      out.once('error', reject);
      out.end();
    });
  }

  private async inject(fault: Fault, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    req.resume();
    switch (fault.kind) {
      case 'stall':
        return;
      case 'delay': {
        const answer = await this.fetch(method, path, req.headers);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            resolve();
          }, fault.ms);
          this.#timers.add(timer);
        });
        res.writeHead(answer.status, answer.headers).end(method === 'HEAD' ? undefined : answer.body);
        return;
      }
      case 'drop':
        req.socket.resetAndDestroy();
        return;
      case 'status':
        res.writeHead(fault.status, { 'content-length': 0, ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }) }).end();
        return;
      case 'substitute': {
        const answer = await this.fetch(method, fault.path, req.headers);
        res.writeHead(answer.status, answer.headers).end(method === 'HEAD' ? undefined : answer.body);
        return;
      }
      case 'digest': {
        const answer = await this.fetch(method, path, req.headers);
        const { 'docker-content-digest': _served, ...headers } = answer.headers;
        res.writeHead(answer.status, fault.digest === undefined ? headers : { ...headers, 'docker-content-digest': fault.digest });
        res.end(method === 'HEAD' ? undefined : answer.body);
        return;
      }
      case 'reset':
      case 'truncate': {
        const answer = await this.fetch(method, path, req.headers);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
        res.write(half, () => (fault.kind === 'reset' ? req.socket.resetAndDestroy() : req.socket.end()));
        return;
      }
      case 'drip': {
        const answer = await this.fetch(method, path, req.headers);
        res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
        let sent = 0;
        const timer = setInterval(() => {
          if (sent < answer.body.length) res.write(answer.body.subarray(sent, ++sent));
          if (sent === answer.body.length) res.end();
        }, fault.intervalMs);
        this.#timers.add(timer);
        res.once('close', () => {
          clearInterval(timer);
          this.#timers.delete(timer);
        });
        return;
      }
    }
  }
}
