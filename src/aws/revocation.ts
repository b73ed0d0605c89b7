// SIGNATURE_VERIFIER.REVOCATION_CHECK: AWS Signer's GetRevocationStatus for the job, the profile version and the chain.
import type { SignerClient } from '@aws-sdk/client-signer';
import { LRUCache } from 'lru-cache';
import { deadline } from '../common/index.js';
import { parseArn } from './arn.js';
import {
  AWS_SIGNER_PLATFORM_ID,
  DEFAULT_REVOCATION_CACHE_TTL_MS,
  DEFAULT_REVOCATION_TIMEOUT_MS,
  MAX_REVOCATION_CACHE_ENTRIES,
  MAX_REVOKED_ENTITIES,
  REASON_NOT_REVOKED,
  REASON_REVOKED_CERTIFICATE,
} from './constants.js';
import { sdkClientConfig, type AwsClientOptions } from './sdk.js';
import { importCommonJs } from '../common/lazy-import.js';

/** The SDK module, loaded on the first call: it takes the better part of a second to load, which commands that never call AWS should not pay. */
const loadSignerSdk = () => importCommonJs(() => import('@aws-sdk/client-signer'));

/** The inputs of one GetRevocationStatus call. */
export interface RevocationStatusRequest {
  profileVersionArn: string;
  jobArn: string;
  /** certificateHashes() of the signature's chain. */
  certificateHashes: string[];
  /** The signature's authentic signing time. */
  signatureTimestamp: Date;
}

/** Who answers GetRevocationStatus: the revoked entities (ARNs and certificate hashes), none when nothing is revoked. */
export interface RevocationStatusSource {
  revokedEntities(request: RevocationStatusRequest, signal?: AbortSignal): Promise<string[]>;
}

export interface SignerRevocationOptions extends AwsClientOptions {
  /** One call, retries included (default 10 s). */
  timeoutMs?: number;
  /** How long an answer is reused (default 5 min); 0 turns the cache off. */
  cacheTtlMs?: number;
}

/**
 * GetRevocationStatus through `@aws-sdk/client-signer`, in the region of the profile version ARN (an
 * `arn:aws-us-gov:` ARN names a GovCloud region, so the SDK picks the GovCloud endpoint). Answers are
 * cached per (job, profile version, chain, signing time); failures are not.
 */
export class SignerRevocationStatus implements RevocationStatusSource {
  readonly #options: SignerRevocationOptions;
  readonly #clients = new Map<string, SignerClient>();
  readonly #cache: LRUCache<string, string[]> | undefined;

  constructor(options: SignerRevocationOptions = {}) {
    this.#options = options;
    const ttl = options.cacheTtlMs ?? DEFAULT_REVOCATION_CACHE_TTL_MS;
    this.#cache = ttl > 0 ? new LRUCache({ max: MAX_REVOCATION_CACHE_ENTRIES, ttl }) : undefined;
  }

  async revokedEntities(request: RevocationStatusRequest, signal?: AbortSignal): Promise<string[]> {
    const key = JSON.stringify([request.jobArn, request.profileVersionArn, request.certificateHashes, request.signatureTimestamp.toISOString()]);
    const cached = this.#cache?.get(key);
    if (cached) return cached;
    const region = parseArn(request.profileVersionArn)?.region;
    if (!region) throw new Error(`the signing profile version ${JSON.stringify(request.profileVersionArn)} is not an ARN with a region`);
    const timeoutMs = this.#options.timeoutMs ?? DEFAULT_REVOCATION_TIMEOUT_MS;
    const bound = deadline([signal], { timeoutMs, timeoutMessage: `GetRevocationStatus did not answer within ${timeoutMs} ms` });
    try {
      const { GetRevocationStatusCommand } = await loadSignerSdk();
      const client = await this.#client(region);
      const output = await client.send(
        new GetRevocationStatusCommand({
          signatureTimestamp: request.signatureTimestamp,
          platformId: AWS_SIGNER_PLATFORM_ID,
          profileVersionArn: request.profileVersionArn,
          jobArn: request.jobArn,
          certificateHashes: request.certificateHashes,
        }),
        { abortSignal: bound.signal },
      );
      const revoked = (output.revokedEntities ?? []).slice(0, MAX_REVOKED_ENTITIES);
      this.#cache?.set(key, revoked);
      return revoked;
    } finally {
      bound.dispose();
    }
  }

  async #client(region: string): Promise<SignerClient> {
    let client = this.#clients.get(region);
    if (!client) {
      const { SignerClient } = await loadSignerSdk();
      client = new SignerClient(sdkClientConfig(region, this.#options, this.#options.timeoutMs ?? DEFAULT_REVOCATION_TIMEOUT_MS));
      this.#clients.set(region, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }
}

/** The plugin's reason for a non-empty answer: ARNs (entities starting with `arn`) first, then certificates. */
export function revokedReason(revokedEntities: readonly string[]): string {
  const resources = revokedEntities.filter((entity) => entity.startsWith('arn'));
  const certificates = revokedEntities.length > resources.length;
  return (resources.length > 0 ? `Resource(s) ${resources.join(', ')} have been revoked.` : '') + (certificates ? REASON_REVOKED_CERTIFICATE : '');
}

export interface RevocationResult {
  success: boolean;
  reason: string;
}

/** The REVOCATION_CHECK result as the plugin gives it; an API failure is a failed check with the error, which the trust policy's level decides. */
export async function checkRevocation(source: RevocationStatusSource, request: RevocationStatusRequest, signal?: AbortSignal): Promise<RevocationResult> {
  let revoked: string[];
  try {
    revoked = await source.revokedEntities(request, signal);
  } catch (err) {
    signal?.throwIfAborted();
    return { success: false, reason: `GetRevocationStatus call failed with error: ${describeSdkError(err)}` };
  }
  return revoked.length > 0 ? { success: false, reason: revokedReason(revoked) } : { success: true, reason: REASON_NOT_REVOKED };
}

/** `operation error Signer: GetRevocationStatus, <name>: <message>`-like text, with the HTTP status when the SDK has one. */
function describeSdkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `operation error Signer: GetRevocationStatus, ${status !== undefined ? `https response error StatusCode: ${status}, ` : ''}${err.name}: ${err.message}`;
}
