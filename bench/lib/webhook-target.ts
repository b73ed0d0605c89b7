// A child process serving POST /mutate for bench/webhook.ts: `webhook` (the admission plugin on the service's app, its engine answering from verdicts already known) or `bare` (a fastify handler sending the same AdmissionReview bytes). Prints `{"port":N}` once listening.
import Fastify from 'fastify';
import pino from 'pino';
import type { AdmissionRequestView, EngineResponse, PolicyEngine } from '../../src/policy/index.js';
import { createApiApp, DEFAULT_SERVER_TIMEOUTS } from '../../src/service/index.js';
import { admissionPlugin, allow } from '../../src/webhook/index.js';

const DIGEST = `sha256:${'b31b'.repeat(16)}`;

/** The engine's answer when every image's verdict is cached: both images verified, pinned by digest. */
function cachedAnswer(request: AdmissionRequestView): EngineResponse {
  return {
    rules: [{ policy: 'check-images', rule: 'verify-signature', type: 'ImageVerify', status: 'pass', message: 'verified image signatures', failureAction: 'Enforce', failurePolicy: 'Fail' }],
    patches: [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `registry.example/team/init:1.0@${DIGEST}` },
      { op: 'replace', path: '/spec/containers/0/image', value: `registry.example/team/web:1.0@${DIGEST}` },
    ],
    patched: request.object,
    verifiedImages: [],
  };
}

const engine: PolicyEngine = { evaluate: (request) => Promise.resolve(cachedAnswer(request)) };
const mode = process.argv[2];
const logger = pino({ level: 'silent' });
let port: number;
if (mode === 'webhook') {
  const { app } = createApiApp({ logger, bodyLimit: 8 * 1024 * 1024, timeouts: DEFAULT_SERVER_TIMEOUTS });
  await app.register(admissionPlugin, { engine: () => engine, answerTimeoutMs: () => 9_000, logger });
  port = await listenOn(app);
} else if (mode === 'bare') {
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
  app.post('/mutate', async (request, reply) => {
    const uid = (request.body as { request: { uid: string } }).request.uid;
    const answer = cachedAnswer({ uid, kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', object: null });
    return reply.header('content-type', 'application/json').send(JSON.stringify(allow(uid, answer.patches)));
  });
  port = await listenOn(app);
} else {
  throw new Error('usage: webhook-target.js webhook|bare');
}
process.stdout.write(`${JSON.stringify({ port })}\n`);

async function listenOn(app: { listen(options: { port: number; host: string }): Promise<string>; ready(): PromiseLike<unknown> }): Promise<number> {
  await app.ready();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return Number(new URL(address).port);
}
