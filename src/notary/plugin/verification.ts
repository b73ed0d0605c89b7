// The plugin steps of signature verification (plugin-extensibility.md, "Verification workflow using plugin").
import { NotaryError } from '../errors.js';
import type { EnvelopeContent, ExtendedAttribute } from '../types.js';
import { ATTRIBUTE_VERIFICATION_PLUGIN, ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION } from '../envelope/index.js';
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  PLUGIN_CONTRACT_VERSION,
  VERIFICATION_CAPABILITIES,
  type VerificationCapability,
} from './constants.js';
import type {
  PluginMetadata,
  VerificationPlugin,
  VerificationPluginProvider,
  VerifySignatureRequest,
  VerifySignatureResponse,
} from './protocol.js';
import { compareSemver, isValidSemver } from './semver.js';

/** The plugin attributes of a signature, read from its signed extended attributes. */
export interface PluginRequirement {
  name: string;
  minVersion?: string;
}

function attributeString(attributes: ExtendedAttribute[], key: string): string | undefined {
  const attribute = attributes.find((a) => a.key === key);
  if (attribute === undefined) return undefined;
  if (typeof attribute.value !== 'string' || attribute.value === '') {
    throw new NotaryError('MALFORMED_SIGNATURE', `the signed attribute ${key} must be a non-empty string`);
  }
  return attribute.value;
}

/** The verification plugin a signature asks for, if any. A minimum version without a plugin is malformed. */
export function pluginRequirement(attributes: ExtendedAttribute[]): PluginRequirement | undefined {
  const name = attributeString(attributes, ATTRIBUTE_VERIFICATION_PLUGIN);
  const minVersion = attributeString(attributes, ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION);
  if (name === undefined) {
    if (minVersion !== undefined) {
      throw new NotaryError('MALFORMED_SIGNATURE', `the signature sets ${ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION} without ${ATTRIBUTE_VERIFICATION_PLUGIN}`);
    }
    return undefined;
  }
  if (minVersion !== undefined && !isValidSemver(minVersion)) {
    throw new NotaryError(
      'MALFORMED_SIGNATURE',
      `error while getting plugin minimum version, error: plugin minimum version ${JSON.stringify(minVersion)} is not in valid semver format`,
    );
  }
  return minVersion === undefined ? { name } : { name, minVersion };
}

/** Attribute keys the plugin protocol itself consumes: never sent as "unprocessed". */
export const PLUGIN_ATTRIBUTE_KEYS: readonly string[] = [ATTRIBUTE_VERIFICATION_PLUGIN, ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION];

export interface PreparedPlugin {
  plugin: VerificationPlugin;
  metadata: PluginMetadata;
  /** The verification capabilities the plugin claims. */
  capabilities: VerificationCapability[];
}

/**
 * Step 1 of the plugin workflow: find the plugin, read its metadata, check its version against the
 * signature's minimum and that it can verify at all. Every failure here fails the signature.
 */
export async function preparePlugin(
  provider: VerificationPluginProvider | undefined,
  requirement: PluginRequirement,
  pluginConfig: Record<string, string> | undefined,
  signal?: AbortSignal,
): Promise<PreparedPlugin> {
  const { name, minVersion } = requirement;
  const plugin = provider ? await provider.find(name, { signal }) : undefined;
  if (!plugin) {
    throw new NotaryError(
      'PLUGIN_REQUIRED',
      `error while locating the verification plugin ${JSON.stringify(name)}, make sure the plugin is installed successfully before verifying the signature. error: plugin not found`,
    );
  }
  const metadata = await plugin.getMetadata(pluginConfig ? { pluginConfig } : {}, { signal });
  if (!isValidSemver(metadata.version)) {
    throw new NotaryError('PLUGIN_ERROR', `plugin ${name} has pluginVersion ${metadata.version} which is not in valid semver format`);
  }
  if (minVersion !== undefined && compareSemver(metadata.version, minVersion) < 0) {
    throw new NotaryError(
      'PLUGIN_REQUIRED',
      `found plugin ${name} with version ${metadata.version} but signature verification needs plugin version greater than or equal to ${minVersion}`,
    );
  }
  const capabilities = VERIFICATION_CAPABILITIES.filter((c) => metadata.capabilities.includes(c));
  if (capabilities.length === 0) {
    throw new NotaryError(
      'PLUGIN_REQUIRED',
      `digital signature requires plugin ${JSON.stringify(name)} with signature verification capabilities (${JSON.stringify(CAPABILITY_TRUSTED_IDENTITY)} and/or ${JSON.stringify(CAPABILITY_REVOCATION_CHECK)}) installed`,
    );
  }
  if (!metadata.supportedContractVersions.includes(PLUGIN_CONTRACT_VERSION)) {
    throw new NotaryError(
      'PLUGIN_ERROR',
      `contract version ${JSON.stringify(PLUGIN_CONTRACT_VERSION)} is not in the list of the plugin supported versions ${JSON.stringify(metadata.supportedContractVersions)}`,
    );
  }
  return { plugin, metadata, capabilities };
}

/** Step 5: the `verify-signature` request for the given capabilities. */
export function buildVerifySignatureRequest(
  content: EnvelopeContent,
  capabilities: VerificationCapability[],
  trustedIdentities: string[],
  unprocessed: ExtendedAttribute[],
  pluginConfig?: Record<string, string>,
): VerifySignatureRequest {
  const { signedAttributes, certificateChain } = content.signerInfo;
  const extendedAttributes: Record<string, unknown> = {};
  for (const attribute of unprocessed) extendedAttributes[attribute.key] = attribute.value;
  const requirement = pluginRequirement(signedAttributes.extendedAttributes);
  return {
    contractVersion: PLUGIN_CONTRACT_VERSION,
    signature: {
      criticalAttributes: {
        contentType: content.payload.contentType,
        signingScheme: signedAttributes.signingScheme,
        ...(signedAttributes.expiry ? { expiry: signedAttributes.expiry.toISOString() } : {}),
        ...(signedAttributes.authenticSigningTime ? { authenticSigningTime: signedAttributes.authenticSigningTime.toISOString() } : {}),
        ...(requirement ? { verificationPlugin: requirement.name } : {}),
        ...(requirement?.minVersion ? { verificationPluginMinVersion: requirement.minVersion } : {}),
        ...(unprocessed.length > 0 ? { extendedAttributes } : {}),
      },
      unprocessedAttributes: unprocessed.map((a) => a.key),
      certificateChain: certificateChain.map((der) => Buffer.from(der).toString('base64')),
    },
    trustPolicy: { trustedIdentities, signatureVerification: [...capabilities] },
    ...(pluginConfig ? { pluginConfig } : {}),
  };
}

export interface PluginCheckResult {
  success: boolean;
  reason?: string;
}

/**
 * Step 6: check the response against the request (same capability set, every unprocessed critical
 * attribute processed) and return the result per capability.
 */
export function interpretVerifySignatureResponse(
  pluginName: string,
  requested: VerificationCapability[],
  unprocessedKeys: string[],
  response: VerifySignatureResponse,
): Map<VerificationCapability, PluginCheckResult> {
  const processed = new Set(response.processedAttributes.filter((a): a is string => typeof a === 'string'));
  for (const key of unprocessedKeys) {
    if (!processed.has(key)) {
      throw new NotaryError(
        'UNKNOWN_CRITICAL_ATTRIBUTE',
        `extended critical attribute ${JSON.stringify(key)} was not processed by the verification plugin ${JSON.stringify(pluginName)} (all extended critical attributes must be processed by the verification plugin)`,
      );
    }
  }
  const returned = Object.keys(response.verificationResults);
  const unexpected = returned.filter((k) => !(requested as string[]).includes(k));
  if (unexpected.length > 0) {
    throw new NotaryError(
      'PLUGIN_ERROR',
      `verification plugin ${JSON.stringify(pluginName)} returned results for ${JSON.stringify(unexpected)} that were not requested`,
    );
  }
  const results = new Map<VerificationCapability, PluginCheckResult>();
  for (const capability of requested) {
    const result = response.verificationResults[capability];
    if (!result) {
      throw new NotaryError('PLUGIN_ERROR', `verification plugin ${JSON.stringify(pluginName)} failed to verify ${JSON.stringify(capability)}`);
    }
    results.set(capability, result.reason === undefined ? { success: result.success } : { success: result.success, reason: result.reason });
  }
  return results;
}
