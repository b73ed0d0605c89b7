// A protocol-level double of AWS KMS GetPublicKey (awsJson1_1, X-Amz-Target TrentService.GetPublicKey), for the AWS SDK.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { listenHttpDouble, readRequestBody, type HttpDoubleServer } from './http-double.js';

export interface KmsDouble extends HttpDoubleServer {
  /** KeyIds asked for, in order. */
  asked: string[];
}

/** Serves `keys` (by KeyId as the caller names it: id, alias/name or ARN); others answer NotFoundException. */
export async function startKmsDouble(keys: Record<string, KeyObject>): Promise<KmsDouble> {
  const asked: string[] = [];
  const server = await listenHttpDouble(async (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.parse((await readRequestBody(request, 64 * 1024)).toString('utf8') || '{}') as { KeyId?: string };
    const keyId = body.KeyId ?? '';
    asked.push(keyId);
    const key = request.headers['x-amz-target'] === 'TrentService.GetPublicKey' ? keys[keyId] : undefined;
    response.writeHead(key ? 200 : 400, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(
      JSON.stringify(
        key
          ? { KeyId: `arn:aws:kms:us-east-1:123456789012:key/${keyId.replace(/\W/g, '')}`, KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256', PublicKey: key.export({ format: 'der', type: 'spki' }).toString('base64'), SigningAlgorithms: ['ECDSA_SHA_256'] }
          : { __type: 'NotFoundException', message: `Key '${keyId}' does not exist` },
      ),
    );
  });
  return Object.assign(server, { asked });
}
