// Request and response shapes of the plugin commands used for verification, parsed with zod at the boundary.
import * as z from 'zod';

/** `get-plugin-metadata` response; every attribute is required by the contract. */
export const pluginMetadataSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  version: z.string().min(1),
  url: z.string(),
  supportedContractVersions: z.array(z.string()).min(1),
  capabilities: z.array(z.string()).min(1),
});
export type PluginMetadata = z.infer<typeof pluginMetadataSchema>;

export interface GetMetadataRequest {
  pluginConfig?: Record<string, string>;
}

/** The Notary critical attributes of a signature, envelope-format agnostic. */
export interface CriticalAttributes {
  contentType: string;
  signingScheme: string;
  /** RFC 3339. */
  expiry?: string;
  /** RFC 3339; for notary.x509.signingAuthority. */
  authenticSigningTime?: string;
  verificationPlugin?: string;
  verificationPluginMinVersion?: string;
  /** Critical extended attributes the caller does not process itself (JSON primitives). */
  extendedAttributes?: Record<string, unknown>;
}

export interface VerifySignatureRequest {
  contractVersion: string;
  signature: {
    criticalAttributes: CriticalAttributes;
    /** Names of critical attributes the caller does not understand; the plugin must process them. */
    unprocessedAttributes: string[];
    /** Base64 (standard) DER certificates, leaf first: how Go's encoding/json writes [][]byte. */
    certificateChain: string[];
  };
  trustPolicy: {
    trustedIdentities: string[];
    /** The capabilities the plugin is asked to perform. */
    signatureVerification: string[];
  };
  pluginConfig?: Record<string, string>;
}

const verificationResultSchema = z.object({
  success: z.boolean(),
  reason: z.string().optional(),
});

export const verifySignatureResponseSchema = z.object({
  verificationResults: z.record(z.string(), verificationResultSchema),
  processedAttributes: z.array(z.unknown()),
});
export type VerifySignatureResponse = z.infer<typeof verifySignatureResponseSchema>;

/** Error response a plugin writes to stderr with exit code 1. */
export const pluginErrorResponseSchema = z.object({
  errorCode: z.string(),
  errorMessage: z.string().optional(),
  errorMetadata: z.record(z.string(), z.string()).optional(),
});
export type PluginErrorResponse = z.infer<typeof pluginErrorResponseSchema>;

export interface PluginCallOptions {
  signal?: AbortSignal;
}

/**
 * A verification plugin: an executable found in the plugin directory, or a native implementation
 * registered in code (e.g. AWS Signer) that answers the same contract without a process.
 */
export interface VerificationPlugin {
  readonly name: string;
  getMetadata(request: GetMetadataRequest, options?: PluginCallOptions): Promise<PluginMetadata>;
  verifySignature(request: VerifySignatureRequest, options?: PluginCallOptions): Promise<VerifySignatureResponse>;
}

/** Finds the plugin a signature names; `undefined` when none is installed under that name. */
export interface VerificationPluginProvider {
  find(name: string, options?: PluginCallOptions): Promise<VerificationPlugin | undefined>;
}
