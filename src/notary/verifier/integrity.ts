// Integrity: parse and verify the envelope, read the Notary payload, match it to the artifact, and sort out critical attributes.
import type { Descriptor } from '../../oci/index.js';
import { parseEnvelope, parseNotaryPayload as parseEnvelopePayload } from '../envelope/index.js';
import { isNotaryFailure, NotaryError } from '../errors.js';
import { PLUGIN_ATTRIBUTE_KEYS, pluginRequirement, type PluginRequirement } from '../plugin/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type EnvelopeContent, type ExtendedAttribute, type NotaryPayload } from '../types.js';

export interface VerifiedEnvelope {
  content: EnvelopeContent;
  payload: NotaryPayload;
  /** The plugin the signature names, if any. */
  plugin?: PluginRequirement;
  /** Critical extended attributes neither the verifier nor the caller understands. */
  unprocessed: ExtendedAttribute[];
}

/**
 * Parse the envelope by its media type (once) and verify its signature (throws INVALID_SIGNATURE and
 * kin). Critical extended attributes are decided by the verifier (criticalAttributes), which knows
 * about plugins, so the envelope does not check them.
 */
export async function verifyEnvelopeIntegrity(mediaType: string, bytes: Uint8Array): Promise<EnvelopeContent> {
  if (mediaType !== MEDIA_TYPE_JWS && mediaType !== MEDIA_TYPE_COSE) {
    throw new NotaryError('UNSUPPORTED_SIGNATURE_FORMAT', `signature envelope format with media type "${mediaType}" is not supported`);
  }
  try {
    return await parseEnvelope(mediaType, bytes).verifyIntegrity();
  } catch (err) {
    if (isNotaryFailure(err)) throw err;
    throw new NotaryError('MALFORMED_SIGNATURE', `unable to parse the digital signature, error : ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

export function parseNotaryPayload(content: EnvelopeContent): NotaryPayload {
  return parseEnvelopePayload(content.payload);
}

/** The spec's payload check: the signed descriptor's mediaType, digest and size equal the artifact's. */
export function checkTargetArtifact(payload: NotaryPayload, target: Descriptor): void {
  const signed = payload.targetArtifact;
  if (signed.mediaType !== target.mediaType || signed.digest !== target.digest || signed.size !== target.size) {
    throw new NotaryError(
      'TARGET_ARTIFACT_MISMATCH',
      `content descriptor mismatch: the signature is for ${signed.digest} (${signed.mediaType}, ${signed.size} bytes), not for ${target.digest} (${target.mediaType}, ${target.size} bytes)`,
    );
  }
}

/**
 * Split the critical extended attributes: the plugin attributes, the ones the caller handles, and
 * the rest, which only a plugin may process. Without a plugin, any left over fails the signature.
 */
export function criticalAttributes(content: EnvelopeContent, understood: ReadonlySet<string>): { plugin?: PluginRequirement; unprocessed: ExtendedAttribute[] } {
  const attributes = content.signerInfo.signedAttributes.extendedAttributes;
  const plugin = pluginRequirement(attributes);
  const unprocessed = attributes.filter((a) => a.critical && !PLUGIN_ATTRIBUTE_KEYS.includes(a.key) && !understood.has(a.key));
  if (!plugin && unprocessed.length > 0) {
    throw new NotaryError(
      'UNKNOWN_CRITICAL_ATTRIBUTE',
      `the signature has critical attribute(s) ${JSON.stringify(unprocessed.map((a) => a.key))} that imgverify does not understand and no verification plugin is named to process them`,
    );
  }
  return plugin ? { plugin, unprocessed } : { unprocessed };
}
