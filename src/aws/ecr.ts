// Registry credentials for Amazon ECR: GetAuthorizationToken with the SDK's default credential chain, only for anchored ECR hosts.
import type { ECRClient, GetAuthorizationTokenCommand as GetAuthorizationTokenCommandType } from '@aws-sdk/client-ecr';
import { deadline } from '../common/index.js';
import { OciError, type Credential, type CredentialProvider } from '../oci/index.js';
import { DEFAULT_ECR_TIMEOUT_MS, ECR_HOST_PATTERNS, ECR_TOKEN_REFRESH_MARGIN_MS } from './constants.js';
import { sdkClientConfig, type AwsClientOptions } from './sdk.js';
import { importCommonJs } from '../common/lazy-import.js';

/** What an ECR host names. */
export interface EcrRegistry {
  accountId: string;
  region: string;
  fips: boolean;
}

/** The ECR registry a host names, or undefined for any other host (lookalikes included). */
export function parseEcrHost(registry: string): EcrRegistry | undefined {
  const host = registry.toLowerCase();
  for (const pattern of ECR_HOST_PATTERNS) {
    const match = pattern.exec(host);
    if (match) return { accountId: match[1] as string, region: match[3] as string, fips: match[2] !== undefined };
  }
  return undefined;
}

export interface EcrCredentialOptions extends AwsClientOptions {
  /** One call, retries included (default 10 s). */
  timeoutMs?: number;
  /** Clock for tests. */
  now?: () => number;
}

interface CachedToken {
  credential: Credential;
  /** Epoch ms after which the token is fetched again. */
  refreshAt: number;
}

/** An actionable message for a failed GetAuthorizationToken. */
function ecrProblem(registry: string, region: string, err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'CredentialsProviderError') {
    return `no AWS credentials found for ECR registry ${registry}: on EKS associate an IAM role with the service account (IRSA or EKS Pod Identity); elsewhere set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE (${message})`;
  }
  if (name === 'AccessDeniedException') {
    return `ECR GetAuthorizationToken was denied for ${registry}: allow ecr:GetAuthorizationToken (e.g. attach AmazonEC2ContainerRegistryReadOnly) to the role (${message})`;
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    return `ECR in ${region} refused the AWS credentials for ${registry}: check that they are valid and that the region ${region} is enabled for the account (${name}: ${message})`;
  }
  return `ECR GetAuthorizationToken failed for ${registry} in ${region}: ${name ? `${name}: ` : ''}${message}`;
}

/**
 * A CredentialProvider for ECR hosts: the token of GetAuthorizationToken in the host's region, cached
 * per registry until shortly before it expires, one refresh at a time. Other hosts get undefined,
 * so the provider can sit after explicit pull secrets and the Docker config in a chain.
 */
export function ecrCredentials(options: EcrCredentialOptions = {}): CredentialProvider {
  const now = options.now ?? Date.now;
  const clients = new Map<string, ECRClient>();
  // The SDK modules load on the first ECR host (they take the better part of a second); one default
  // chain then serves every client, so IRSA/Pod Identity credentials are fetched once and shared.
  let sdk: Promise<{ ECRClient: typeof ECRClient; GetAuthorizationTokenCommand: typeof GetAuthorizationTokenCommandType; credentials: AwsClientOptions['credentials'] }> | undefined;
  const loadSdk = () =>
    (sdk ??= Promise.all([importCommonJs(() => import('@aws-sdk/client-ecr')), options.credentials ? undefined : importCommonJs(() => import('@aws-sdk/credential-providers'))]).then(([ecr, providers]) => ({
      ECRClient: ecr.ECRClient,
      GetAuthorizationTokenCommand: ecr.GetAuthorizationTokenCommand,
      credentials: options.credentials ?? providers?.fromNodeProviderChain(),
    })));
  const tokens = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<Credential>>();
  const timeoutMs = options.timeoutMs ?? DEFAULT_ECR_TIMEOUT_MS;

  const clientFor = async (region: string, fips: boolean): Promise<ECRClient> => {
    const key = `${region}/${fips}`;
    let client = clients.get(key);
    if (!client) {
      const { ECRClient, credentials } = await loadSdk();
      client = new ECRClient({ ...sdkClientConfig(region, { ...options, ...(credentials ? { credentials } : {}) }, timeoutMs), useFipsEndpoint: fips });
      clients.set(key, client);
    }
    return client;
  };

  const fetchToken = async (registry: string, ecr: EcrRegistry, signal?: AbortSignal): Promise<Credential> => {
    const bound = deadline([signal], { timeoutMs, timeoutMessage: `ECR GetAuthorizationToken did not answer within ${timeoutMs} ms` });
    try {
      let output;
      try {
        const { GetAuthorizationTokenCommand } = await loadSdk();
        const client = await clientFor(ecr.region, ecr.fips);
        output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: bound.signal });
      } catch (err) {
        signal?.throwIfAborted();
        throw new OciError('CREDENTIALS_UNAVAILABLE', ecrProblem(registry, ecr.region, err), { cause: err });
      }
      const data = output.authorizationData?.[0];
      const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new OciError('CREDENTIALS_UNAVAILABLE', `ECR GetAuthorizationToken for ${registry} returned no usable token`);
      const credential: Credential = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
      const expires = data?.expiresAt?.getTime() ?? now();
      tokens.set(registry, { credential, refreshAt: expires - ECR_TOKEN_REFRESH_MARGIN_MS });
      return credential;
    } finally {
      bound.dispose();
    }
  };

  return async (registry, signal) => {
    const ecr = parseEcrHost(registry);
    if (!ecr) return undefined;
    const cached = tokens.get(registry);
    if (cached && now() < cached.refreshAt) return cached.credential;
    let pending = inFlight.get(registry);
    if (!pending) {
      pending = fetchToken(registry, ecr, signal).finally(() => inFlight.delete(registry));
      inFlight.set(registry, pending);
    }
    return pending;
  };
}
