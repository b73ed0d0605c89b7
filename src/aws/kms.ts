// Public keys held by AWS KMS (cosign's and Kyverno's `awskms://` keys): GetPublicKey with the SDK's default credential chain.
import { deadline } from '../common/index.js';
import { toPem } from '../pki/index.js';
import { DEFAULT_KMS_TIMEOUT_MS } from './constants.js';
import { AwsError } from './errors.js';
import { sdkClientConfig, type AwsClientOptions } from './sdk.js';
import { importCommonJs } from '../common/lazy-import.js';

export interface AwsKmsKeyOptions extends AwsClientOptions {
  /** Region of key ids and aliases (an ARN names its own); default $AWS_REGION, else $AWS_DEFAULT_REGION. */
  region?: string;
  timeoutMs?: number;
}

/** `awskms:///<key id | alias/name | ARN>`: the key and the region to ask. */
export function parseAwsKmsUri(uri: string, defaultRegion: string | undefined): { keyId: string; region: string } {
  const match = /^awskms:\/\/([^/]*)\/(.+)$/.exec(uri.trim());
  if (!match) throw new AwsError('AWS_KMS_INVALID_KEY', `${JSON.stringify(uri)} is not an awskms:// key (awskms:///<key id, alias/<name> or ARN>)`);
  // cosign allows awskms://<endpoint>/…; the policy's author must not choose where our AWS credentials are sent.
  if (match[1] !== '') throw new AwsError('AWS_KMS_INVALID_KEY', `${uri}: a KMS endpoint in the key (${match[1]}) is not supported: AWS credentials go only to AWS's own endpoints`);
  const keyId = match[2] as string;
  const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(key|alias)\/.+$/.exec(keyId);
  const region = arn?.[1] ?? defaultRegion;
  if (!region) throw new AwsError('AWS_KMS_INVALID_KEY', `${uri}: the KMS key's region is unknown; give its ARN or set AWS_REGION`);
  return { keyId, region };
}

/** A reader of `awskms://` keys as PEM: one SDK client per region, loaded on first use. */
export function awsKmsPublicKeys(options: AwsKmsKeyOptions = {}): (uri: string, signal: AbortSignal) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_KMS_TIMEOUT_MS;
  // The SDK loads on the first KMS key only (it takes the better part of a second).
  let sdk: Promise<typeof import('@aws-sdk/client-kms')> | undefined;
  const clients = new Map<string, InstanceType<typeof import('@aws-sdk/client-kms').KMSClient>>();
  return async (uri, signal) => {
    const { keyId, region } = parseAwsKmsUri(uri, options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION);
    const { KMSClient, GetPublicKeyCommand } = await (sdk ??= importCommonJs(() => import('@aws-sdk/client-kms')));
    let client = clients.get(region);
    if (!client) {
      client = new KMSClient(sdkClientConfig(region, options, timeoutMs));
      clients.set(region, client);
    }
    const bound = deadline([signal], { timeoutMs, timeoutMessage: `KMS GetPublicKey did not answer within ${timeoutMs} ms` });
    try {
      const output = await client.send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal: bound.signal });
      if (!output.PublicKey || output.KeyUsage !== 'SIGN_VERIFY') throw new AwsError('AWS_KMS_INVALID_KEY', `${uri}: KMS returned no signing public key`);
      return toPem('PUBLIC KEY', output.PublicKey);
    } catch (err) {
      signal.throwIfAborted();
      if (err instanceof AwsError) throw err;
      const name = err instanceof Error ? err.name : 'Error';
      throw new AwsError('AWS_KMS_KEY_UNAVAILABLE', `${uri}: KMS GetPublicKey in ${region} failed (${name}: ${err instanceof Error ? err.message : String(err)})`, { cause: err });
    } finally {
      bound.dispose();
    }
  };
}
