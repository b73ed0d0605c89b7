// The bounded HTTP client against a loopback double: sizes, deadlines, redirects, aborts, each with its HttpError code.
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { HttpClient, HttpError } from '../../src/common/index.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';

let server: HttpDoubleServer;
let other: HttpDoubleServer;
const seenByOther: IncomingHttpHeaders[] = [];
const client = new HttpClient({ retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });

beforeAll(async () => {
  other = await listenHttpDouble((req, res) => {
    seenByOther.push(req.headers);
    res.end('elsewhere');
  });
  server = await listenHttpDouble((req, res) => {
    const path = req.url ?? '/';
    if (path === '/small') return void res.end('hello');
    if (path === '/declared-large') {
      res.writeHead(200, { 'content-length': 1000 });
      return void res.end(Buffer.alloc(1000));
    }
    if (path === '/chunked-large') {
      // The first chunk alone passes the limit; the second comes later (if at all).
      res.write(Buffer.alloc(600));
      return void setTimeout(() => res.end(Buffer.alloc(600)), 200).unref();
    }
    if (path === '/stall') return void res.writeHead(200).write('x'); // never ends
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    }
    if (path === '/to-file') {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      return void res.end();
    }
    if (path === '/ocsp' && req.method === 'POST') {
      // An OCSP-like responder: answers with the request body's size, or a redirect it must not be followed through.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const size = Buffer.concat(chunks).length;
        if (size === 0) {
          res.writeHead(302, { location: '/small' });
          return void res.end();
        }
        res.writeHead(200, { 'content-type': req.headers['content-type'] ?? '' });
        res.end(String(size));
      });
      return;
    }
    if (path === '/to-other') {
      res.writeHead(307, { location: `http://localhost:${other.port}/x` });
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  });
});
afterAll(async () => {
  await client.close();
  await Promise.all([server?.stop(), other?.stop()]);
});

const get = (path: string, extra: { signal?: AbortSignal; headers?: Record<string, string> } = {}) => ({
  method: 'GET' as const,
  url: new URL(path, server.url),
  idempotent: true,
  what: `GET ${path}`,
  ...extra,
});

test('a body within the limit is read whole', async () => {
  const answer = await client.fetchBytes(get('/small'), { maxBytes: 5 });
  expect([answer.status, Buffer.from(answer.bytes).toString(), answer.redirected]).toEqual([200, 'hello', false]);
});

test.each([
  ['/declared-large', 'RESPONSE_TOO_LARGE', 'GET /declared-large: the answer is 1000 bytes, more than the 512 allowed'],
  ['/chunked-large', 'RESPONSE_TOO_LARGE', 'GET /chunked-large: the answer is at least 600 bytes, more than the 512 allowed'],
  ['/stall', 'TIMEOUT', 'GET /stall: no answer within 300 ms'],
  ['/loop', 'TOO_MANY_REDIRECTS', 'GET /loop: more than 5 redirects'],
  ['/to-file', 'REDIRECT_REFUSED', 'GET /to-file: redirected to a file: URL; only http(s) is followed'],
])('%s → %s', async (path, code, message) => {
  const error = await rejectionOf(HttpError, client.fetchBytes(get(path), { maxBytes: 512, timeoutMs: 300 }));
  expect([error.code, error.message]).toEqual([code, message]);
});

test('a redirect to another origin drops the Authorization header', async () => {
  seenByOther.length = 0;
  const answer = await client.fetchBytes(get('/to-other', { headers: { authorization: 'Basic c2VjcmV0' } }), { maxBytes: 100 });
  expect([Buffer.from(answer.bytes).toString(), answer.redirected, answer.url.origin]).toEqual(['elsewhere', true, `http://localhost:${other.port}`]);
  expect(seenByOther.map((headers) => headers.authorization)).toEqual([undefined]);
});

test('a redirect to another origin under the public rule is refused before connecting', async () => {
  seenByOther.length = 0;
  const error = await rejectionOf(HttpError, client.fetchBytes({ ...get('/to-other'), redirectAddresses: () => Promise.resolve('public' as const) }, { maxBytes: 100 }));
  expect([error.code, error.hostname]).toEqual(['NON_PUBLIC_ADDRESS', 'localhost']);
  expect(seenByOther).toEqual([]);
});

test("the caller's abort ends the exchange with ABORTED", async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('caller gave up')), 100);
  const error = await rejectionOf(HttpError, client.fetchBytes(get('/stall', { signal: controller.signal }), { maxBytes: 100, timeoutMs: 5000 }));
  expect([error.code, (error.cause as Error).message]).toEqual(['ABORTED', 'caller gave up']);
});

test('a POST sends its body and is not redirected unless asked', async () => {
  const post = { method: 'POST' as const, url: new URL('/ocsp', server.url), idempotent: false, what: 'POST /ocsp' };
  const answer = await client.fetchBytes({ ...post, headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(42) }, { maxBytes: 100, timeoutMs: 2000 });
  expect([answer.status, Buffer.from(answer.bytes).toString(), answer.headers['content-type']]).toEqual([200, '42', 'application/ocsp-request']);
  const redirect = await client.fetchBytes({ ...post, body: new Uint8Array(0) }, { maxBytes: 100 });
  expect([redirect.status, redirect.redirected]).toEqual([302, false]);
});
