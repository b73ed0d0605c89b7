// Protocol-level doubles of Amazon ECR (GetAuthorizationToken, awsJson1_1) and of the EKS Pod Identity agent (container credentials), for the AWS SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttpDouble, readRequestBody, type HttpDoubleServer } from './http-double.js';

export interface EcrCall {
  target: string | undefined;
  /** The SigV4 credential scope's access key id (who called). */
  accessKeyId: string | undefined;
  host: string | undefined;
}

export interface EcrDouble extends HttpDoubleServer {
  calls: EcrCall[];
  /** Seconds until the tokens it hands out expire (default 12 hours); an error answer instead when set. */
  expiresInSeconds: number;
  error?: { status: number; type: string; message: string };
}

export async function startEcrDouble(): Promise<EcrDouble> {
  const state = { calls: [] as EcrCall[], expiresInSeconds: 12 * 3600, error: undefined as EcrDouble['error'] };
  let issued = 0;
  const server = await listenHttpDouble(async (request: IncomingMessage, response: ServerResponse) => {
    await readRequestBody(request, 64 * 1024);
    const authorization = String(request.headers.authorization ?? '');
    state.calls.push({ target: request.headers['x-amz-target'] as string | undefined, accessKeyId: /Credential=([^/]+)\//.exec(authorization)?.[1], host: request.headers.host });
    if (state.error) {
      response.writeHead(state.error.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: state.error.type, message: state.error.message }));
      return;
    }
    issued += 1;
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(
      JSON.stringify({
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:ecr-token-${issued}`).toString('base64'),
            expiresAt: Math.floor(Date.now() / 1000) + state.expiresInSeconds,
            proxyEndpoint: 'https://123456789012.dkr.ecr.us-west-2.amazonaws.com',
          },
        ],
      }),
    );
  });
  return Object.assign(state, server);
}

/** The EKS Pod Identity agent: answers the container-credentials request carrying `token` with fixed temporary credentials. */
export async function startPodIdentityDouble(token: string, accessKeyId: string): Promise<HttpDoubleServer & { calls: number }> {
  const state = { calls: 0 };
  const server = await listenHttpDouble((request: IncomingMessage, response: ServerResponse) => {
    state.calls += 1;
    if (request.headers.authorization !== token) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'the Pod Identity double wants the service account token' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ AccessKeyId: accessKeyId, SecretAccessKey: 'pod-identity-secret', Token: 'pod-identity-session', AccountId: '123456789012', Expiration: new Date(Date.now() + 3600_000).toISOString() }),
    );
  });
  return Object.assign(state, server);
}
