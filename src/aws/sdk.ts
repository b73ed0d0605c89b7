// What every AWS SDK client of imgverify shares: bounded attempts and timeouts, an endpoint per partition for tests, the SDK's Node 20 notice silenced.
import type { SignerClientConfig } from '@aws-sdk/client-signer';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS } from './constants.js';

/** How imgverify builds AWS SDK clients. */
export interface AwsClientOptions {
  /** Credentials; default: the SDK's default chain (env, IRSA web identity, EKS Pod Identity, shared profile, IMDS). */
  credentials?: SignerClientConfig['credentials'];
  /**
   * Endpoint URL per partition (`aws`, `aws-us-gov`, `aws-cn`), replacing the SDK's resolution for
   * that partition: for tests against in-process doubles. Partitions not listed resolve as the SDK does.
   */
  endpoints?: Readonly<Record<string, string>>;
  /** SDK attempts per call (default 2). */
  maxAttempts?: number;
  /** Connect bound of one attempt (default 3 s). */
  connectTimeoutMs?: number;
}

/** The partition of a region, as the SDK's partition table has it. */
export function partitionOfRegion(region: string): string {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/**
 * The SDK prints a NodeVersionSupportWarning to stderr on Node 20, which imgverify supports; on
 * the CLI's stderr and the service's JSON log it is noise. An explicit setting of the variable wins.
 */
function silenceNodeVersionNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** Constructor options of an SDK client for `region`. */
export function sdkClientConfig(region: string, options: AwsClientOptions, requestTimeoutMs: number) {
  silenceNodeVersionNotice();
  const endpoint = options.endpoints?.[partitionOfRegion(region)];
  return {
    region,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    requestHandler: { connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, requestTimeout: requestTimeoutMs },
    // An overridden endpoint is one host: no `data-`-style host prefix in front of it.
    ...(endpoint ? { endpoint, disableHostPrefix: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}
