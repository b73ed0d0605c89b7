// Protocol-level double of the AWS Signer endpoint (GET /revocations, GetRevocationStatus), reached through @aws-sdk/client-signer with an endpoint override.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttpDouble, type HttpDoubleServer } from './http-double.js';

/** One GetRevocationStatus call as the double received it. */
export interface RevocationCall {
  signatureTimestamp: string | null;
  platformId: string | null;
  profileVersionArn: string | null;
  jobArn: string | null;
  certificateHashes: string[];
  /** The SigV4 Authorization header was present (the SDK signed the request). */
  signed: boolean;
}

/** What the double answers: revoked entities, or an AWS error (`status`, `type`, `message`), or nothing for `hangMs`. */
export type SignerAnswer = { revokedEntities: string[] } | { status: number; type: string; message: string } | { hangMs: number };

export interface SignerDouble extends HttpDoubleServer {
  calls: RevocationCall[];
  /** The answer to the next calls (default: nothing revoked). */
  answer: (call: RevocationCall) => SignerAnswer;
}

function reply(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'double-request-id', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  response.end(JSON.stringify(body));
}

export async function startSignerDouble(): Promise<SignerDouble> {
  const double = {
    calls: [] as RevocationCall[],
    answer: (() => ({ revokedEntities: [] })) as (call: RevocationCall) => SignerAnswer,
  };
  const server = await listenHttpDouble((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://double');
    if (request.method !== 'GET' || url.pathname !== '/revocations') {
      reply(response, 404, { message: `the Signer double serves GET /revocations, not ${request.method} ${url.pathname}` }, 'ResourceNotFoundException');
      return;
    }
    const q = url.searchParams;
    const call: RevocationCall = {
      signatureTimestamp: q.get('signatureTimestamp'),
      platformId: q.get('platformId'),
      profileVersionArn: q.get('profileVersionArn'),
      jobArn: q.get('jobArn'),
      certificateHashes: q.getAll('certificateHashes'),
      signed: typeof request.headers.authorization === 'string' && request.headers.authorization.startsWith('AWS4-HMAC-SHA256 '),
    };
    double.calls.push(call);
    const answer = double.answer(call);
    if ('hangMs' in answer) {
      setTimeout(() => reply(response, 200, { revokedEntities: [] }), answer.hangMs).unref();
    } else if ('revokedEntities' in answer) {
      reply(response, 200, { revokedEntities: answer.revokedEntities });
    } else {
      reply(response, answer.status, { message: answer.message }, answer.type);
    }
  });
  return Object.assign(double, server);
}

/** Static credentials for SDK clients pointed at doubles (never real ones). */
export const DOUBLE_CREDENTIALS = { accessKeyId: 'AKIDDOUBLE', secretAccessKey: 'double-secret' };
