// The AWS Signer verification plugin, built in: answers the Notation plugin contract as aws-signer-notation-plugin's verifier decides, with no process.
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  PLUGIN_CONTRACT_VERSION,
  VERIFICATION_CAPABILITIES,
  type PluginCallOptions,
  type PluginMetadata,
  type VerificationPlugin,
  type VerifySignatureRequest,
  type VerifySignatureResponse,
} from '../notary/plugin/index.js';
import { certificateHashes } from './certificate-hashes.js';
import {
  ATTRIBUTE_SIGNING_JOB,
  ATTRIBUTE_SIGNING_PROFILE_ALIAS,
  ATTRIBUTE_SIGNING_PROFILE_VERSION,
  AWS_SIGNER_PLUGIN_NAME,
  AWS_SIGNER_PLUGIN_VERSION,
  AWS_SIGNER_SIGNING_SCHEME,
  MESSAGE_MISSING_AUTHENTIC_SIGNING_TIME,
  MESSAGE_WILDCARD_IDENTITY,
} from './constants.js';
import { equalFold } from './arn.js';
import { AwsError } from './errors.js';
import { verifySignerIdentity } from './identity.js';
import { checkRevocation, SignerRevocationStatus, type RevocationStatusSource } from './revocation.js';

const WILDCARD_IDENTITY = '*';

export interface AwsSignerVerifierOptions {
  /** Who answers GetRevocationStatus; default: SignerRevocationStatus with the SDK's default credentials, made on first use. */
  revocation?: RevocationStatusSource;
}

function invalid(message: string): AwsError {
  return new AwsError('AWS_SIGNER_INVALID_REQUEST', message);
}

/** A string attribute of the request's critical extended attributes, or the plugin's parse error. */
function stringAttribute(attributes: Record<string, unknown> | undefined, key: string): string {
  const value = attributes?.[key];
  if (typeof value !== 'string') throw invalid(`unable to parse attribute ${JSON.stringify(key)}.`);
  return value;
}

/** The request checks the plugin makes before any verification, in its order. */
function validateRequest(request: VerifySignatureRequest): Date {
  if (request.contractVersion !== PLUGIN_CONTRACT_VERSION) {
    throw invalid(`${JSON.stringify(request.contractVersion)} is not a supported notary plugin contract version`);
  }
  if (request.trustPolicy.trustedIdentities.includes(WILDCARD_IDENTITY)) throw invalid(MESSAGE_WILDCARD_IDENTITY);
  for (const capability of request.trustPolicy.signatureVerification) {
    if (!(VERIFICATION_CAPABILITIES as readonly string[]).includes(capability)) throw invalid(`'${capability}' is not a supported plugin capability`);
  }
  const { authenticSigningTime, signingScheme } = request.signature.criticalAttributes;
  const signingTime = authenticSigningTime === undefined ? undefined : new Date(authenticSigningTime);
  if (!signingTime || Number.isNaN(signingTime.getTime())) throw invalid(MESSAGE_MISSING_AUTHENTIC_SIGNING_TIME);
  if (!equalFold(signingScheme, AWS_SIGNER_SIGNING_SCHEME)) throw invalid(`'${signingScheme}' signing scheme is not supported`);
  return signingTime;
}

/** `com.amazonaws.signer.notation.plugin` implemented natively (SIGNATURE_VERIFIER capabilities only; imgverify does not sign with AWS Signer). */
export class AwsSignerVerifier implements VerificationPlugin {
  readonly name = AWS_SIGNER_PLUGIN_NAME;
  #revocation: RevocationStatusSource | undefined;

  constructor(options: AwsSignerVerifierOptions = {}) {
    this.#revocation = options.revocation;
  }

  async getMetadata(): Promise<PluginMetadata> {
    return {
      name: AWS_SIGNER_PLUGIN_NAME,
      description: 'AWS Signer plugin for Notation (built into imgverify)',
      version: AWS_SIGNER_PLUGIN_VERSION,
      url: 'https://docs.aws.amazon.com/signer',
      supportedContractVersions: [PLUGIN_CONTRACT_VERSION],
      capabilities: [CAPABILITY_TRUSTED_IDENTITY, CAPABILITY_REVOCATION_CHECK],
    };
  }

  async verifySignature(request: VerifySignatureRequest, options: PluginCallOptions = {}): Promise<VerifySignatureResponse> {
    const signingTime = validateRequest(request);
    const attributes = request.signature.criticalAttributes.extendedAttributes;
    const requested = request.trustPolicy.signatureVerification;
    const response: VerifySignatureResponse = { verificationResults: {}, processedAttributes: [] };
    if (requested.includes(CAPABILITY_TRUSTED_IDENTITY)) {
      const profileVersionArn = stringAttribute(attributes, ATTRIBUTE_SIGNING_PROFILE_VERSION);
      const alias = attributes?.[ATTRIBUTE_SIGNING_PROFILE_ALIAS];
      response.verificationResults[CAPABILITY_TRUSTED_IDENTITY] = verifySignerIdentity(request.trustPolicy.trustedIdentities, {
        profileVersionArn,
        ...(typeof alias === 'string' ? { profileAliasArn: alias } : {}),
      });
    }
    if (requested.includes(CAPABILITY_REVOCATION_CHECK)) {
      const profileVersionArn = stringAttribute(attributes, ATTRIBUTE_SIGNING_PROFILE_VERSION);
      const jobArn = stringAttribute(attributes, ATTRIBUTE_SIGNING_JOB);
      const hashes = certificateHashes(request.signature.certificateChain.map((base64) => new Uint8Array(Buffer.from(base64, 'base64'))));
      this.#revocation ??= new SignerRevocationStatus();
      response.verificationResults[CAPABILITY_REVOCATION_CHECK] = await checkRevocation(
        this.#revocation,
        { profileVersionArn, jobArn, certificateHashes: hashes, signatureTimestamp: signingTime },
        options.signal,
      );
    }
    // Both are processed even when revocation was not asked for (the plugin's rule); the alias when the signature has one.
    response.processedAttributes.push(ATTRIBUTE_SIGNING_PROFILE_VERSION, ATTRIBUTE_SIGNING_JOB);
    if (attributes && ATTRIBUTE_SIGNING_PROFILE_ALIAS in attributes) response.processedAttributes.push(ATTRIBUTE_SIGNING_PROFILE_ALIAS);
    return response;
  }
}
