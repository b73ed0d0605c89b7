// Verifies one signature envelope against the applicable trust policy statement (trust-store-trust-policy.md, Signature Verification steps).
import type { X509Certificate } from '@peculiar/x509';
import type { Descriptor } from '../../oci/index.js';
import { isNotaryFailure, NotaryError, recodeInvalidCertificate } from '../errors.js';
import {
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  buildVerifySignatureRequest,
  interpretVerifySignatureResponse,
  preparePlugin,
  type PreparedPlugin,
  type VerificationCapability,
  type VerificationPluginProvider,
} from '../plugin/index.js';
import type { RevocationSource } from './options.js';
import type { TrustStoreProvider } from '../truststore/index.js';
import type { EnvelopeContent, NotaryPayload, SignatureVerification } from '../types.js';
import { certificateFacts, parseCertificate } from '../../pki/index.js';
import { verifyAuthenticTimestamp } from './authentic-timestamp.js';
import { chainSignatureChecks, verifyChainAnchored, verifyChainRequirements, verifyTrustedIdentity } from './authenticity.js';
import { checkTargetArtifact, criticalAttributes, parseNotaryPayload, verifyEnvelopeIntegrity, type VerifiedEnvelope } from './integrity.js';
import type { AppliedPolicy } from './policy.js';
import { toErrorInfo } from '../../verification/index.js';
import { ValidationRecorder } from './recorder.js';
import { Pacer } from './pace.js';
import { isBudgetExceeded, type WorkBudget } from './budget.js';
import { chainRevocationStatus, revocationVerdict, untrustedChainRevocationStatus } from './revocation.js';

/** Everything a signature is checked against, fixed for one artifact. */
export interface SignatureCheckContext {
  policy: AppliedPolicy;
  trustStore: TrustStoreProvider;
  revocation?: RevocationSource;
  plugins?: VerificationPluginProvider;
  pluginConfig?: Record<string, string>;
  understoodCriticalAttributes: ReadonlySet<string>;
  userMetadata?: Record<string, string>;
  now: Date;
  signal?: AbortSignal;
  /** Spent before each parse and signature check; when it runs out the whole verification stops. */
  budget?: WorkBudget;
}

export interface SignatureInput {
  /** Digest of the signature manifest (identifies the signature in results). */
  signatureDigest: string;
  envelopeMediaType: string;
  envelope: Uint8Array;
  /** The artifact the signature must sign: the descriptor its subject was found under. */
  target: Descriptor;
}

/** Errors that end the whole verification rather than this signature: the deadline, or the work budget. */
function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (err instanceof NotaryError && err.code === 'VERIFICATION_TIMEOUT') || isBudgetExceeded(err);
}

/** Message of user metadata that the payload lacks (notation: ErrorUserMetadataVerificationFailed). */
function missingMetadata(payload: NotaryPayload, wanted: Record<string, string>): string[] {
  const annotations = payload.targetArtifact.annotations ?? {};
  return Object.entries(wanted)
    .filter(([key, value]) => annotations[key] !== value)
    .map(([key, value]) => `${key}=${value}`);
}

/**
 * Run the validations in order — integrity (with the payload/target check and critical
 * attributes), plugin preparation, authenticity, expiry, authentic timestamp, revocation, the
 * plugin's own checks, user metadata — recording each with its level action. The first enforced
 * failure stops the signature. Never throws except when the signal aborts.
 */
export async function verifySignature(input: SignatureInput, context: SignatureCheckContext): Promise<SignatureVerification> {
  const { policy, now, signal, budget } = context;
  const recorder = new ValidationRecorder(policy.actions);
  const result: SignatureVerification = {
    signatureDigest: input.signatureDigest,
    signatureMediaType: input.envelopeMediaType,
    verified: false,
    errors: recorder.errors,
    validations: [],
    trustPolicyStatement: policy.name,
  };
  // What bounds how long a pass stays a pass: set as the validations learn it.
  let validUntil: Date | undefined;
  const passUntil = (time: Date) => {
    if (!validUntil || time.getTime() < validUntil.getTime()) validUntil = time;
  };
  const finish = (): SignatureVerification => {
    result.validations = recorder.list();
    result.verified = !recorder.failed;
    if (result.verified && validUntil) result.validUntil = validUntil.toISOString();
    return result;
  };

  try {
    // 1. Integrity: always enforced.
    let verified: VerifiedEnvelope;
    try {
      budget?.spend('signaturesChecked', 1);
      const content = await verifyEnvelopeIntegrity(input.envelopeMediaType, input.envelope);
      describeContent(result, content);
      const payload = parseNotaryPayload(content);
      if (payload.targetArtifact.annotations) result.userMetadata = { ...payload.targetArtifact.annotations };
      checkTargetArtifact(payload, input.target);
      verified = { content, payload, ...criticalAttributes(content, context.understoodCriticalAttributes) };
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      recorder.failAlways('integrity', toErrorInfo(err, 'MALFORMED_SIGNATURE'));
      return finish();
    }
    recorder.pass('integrity');
    const { content, payload } = verified;
    const { signerInfo } = content;
    if (signerInfo.certificateChain.length === 0) {
      recorder.failAlways('integrity', { code: 'INVALID_CERTIFICATE_CHAIN', message: 'the signature carries no certificate chain' });
      return finish();
    }
    signal?.throwIfAborted();

    // 2. Plugin named by the signature: found, new enough, able to verify. Failures are not levelled.
    let plugin: PreparedPlugin | undefined;
    if (verified.plugin) {
      try {
        plugin = await preparePlugin(context.plugins, verified.plugin, context.pluginConfig, signal);
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        recorder.failAlways('authenticity', toErrorInfo(err, 'PLUGIN_ERROR'));
        return finish();
      }
    }
    const pluginDoes = (capability: VerificationCapability): boolean => Boolean(plugin?.capabilities.includes(capability));

    // 3. Authenticity. Compare first: a chain that holds no trust anchor byte for byte is refused
    // before any of its certificates is parsed or a signature checked (it is the attacker's input).
    let anchored = false;
    let authentic = false;
    try {
      await verifyChainAnchored(signerInfo.certificateChain, signerInfo.signedAttributes.signingScheme, policy, context.trustStore, signal);
      anchored = true;
    } catch (err) {
      if (isAbort(err, signal)) throw err;
      if (recorder.fail('authenticity', toErrorInfo(err, 'UNTRUSTED_SIGNER'))) return finish();
    }
    // Parsed once here (a chain that cannot be parsed fails integrity, as before); every later step reads these objects.
    budget?.spend('certificatesParsed', signerInfo.certificateChain.length);
    const pacer = new Pacer();
    const chain = await parseChain(signerInfo.certificateChain, pacer);
    describeChain(result, chain);
    const leaf = chain[0] as X509Certificate;
    if (anchored) {
      try {
        budget?.spend('signaturesChecked', chainSignatureChecks(chain));
        await verifyChainRequirements(chain, pacer);
        if (!pluginDoes(CAPABILITY_TRUSTED_IDENTITY)) verifyTrustedIdentity(leaf, policy);
        recorder.pass('authenticity');
        authentic = true;
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        if (recorder.fail('authenticity', toErrorInfo(err, 'UNTRUSTED_SIGNER'))) return finish();
      }
    }

    // 4. Expiry.
    const expiry = signerInfo.signedAttributes.expiry;
    if (expiry) passUntil(expiry);
    if (expiry && now.getTime() >= expiry.getTime()) {
      const message = `digital signature has expired on "${expiry.toUTCString()}"`;
      if (recorder.fail('expiry', { code: 'SIGNATURE_EXPIRED', message })) return finish();
    } else {
      recorder.pass('expiry');
    }

    // 5. Authentic timestamp.
    let signedNoLaterThan: Date | undefined;
    if (recorder.action('authenticTimestamp') === 'skip') {
      recorder.skip('authenticTimestamp');
    } else {
      try {
        const outcome = await verifyAuthenticTimestamp({
          signerInfo,
          chain,
          policy,
          trustStore: context.trustStore,
          revocation: context.revocation,
          now,
          signal,
          ...(budget ? { budget } : {}),
        });
        if (outcome.authenticSigningTime) result.authenticSigningTime = outcome.authenticSigningTime.toISOString();
        signedNoLaterThan = outcome.signedNoLaterThan;
        if (outcome.tsaRevocation) result.timestampRevocation = outcome.tsaRevocation;
        recorder.pass('authenticTimestamp');
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        if (recorder.fail('authenticTimestamp', toErrorInfo(err, 'INVALID_TIMESTAMP'))) return finish();
      }
    }

    // Without an authentic signing time the chain is judged at the current time: a pass ends when a certificate expires.
    if (!signedNoLaterThan) for (const certificate of chain) passUntil(certificate.notAfter);

    // 6. Revocation of the signing chain (unless skipped or claimed by the plugin).
    const revocationAction = recorder.action('revocation');
    if (revocationAction === 'skip') {
      recorder.skip('revocation');
    } else if (!pluginDoes(CAPABILITY_REVOCATION_CHECK)) {
      try {
        // Only a verified time counts (spec, Revocation Checking with CRL/OCSP): the signing
        // authority's authentic signing time, or a verified timestamp's upper limit. A revocation
        // effective after it leaves the signature valid; without one, any revocation counts.
        const statuses = authentic
          ? await chainRevocationStatus(chain, context.revocation, {
              ...(signedNoLaterThan ? { authenticSigningTime: signedNoLaterThan } : {}),
              signal,
              purpose: 'codeSigning',
            })
          : untrustedChainRevocationStatus(chain);
        result.revocation = statuses;
        const verdict = revocationVerdict(statuses, 'signing');
        if (verdict) throw verdict;
        recorder.pass('revocation');
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        if (recorder.fail('revocation', toErrorInfo(err, 'REVOCATION_UNKNOWN'))) return finish();
      }
    }

    // 7. The plugin's checks, and every critical attribute it must process.
    if (plugin) {
      const requested = plugin.capabilities.filter((c) => !(c === CAPABILITY_REVOCATION_CHECK && revocationAction === 'skip'));
      if (requested.length === 0) {
        if (verified.unprocessed.length > 0) {
          recorder.failAlways('authenticity', {
            code: 'UNKNOWN_CRITICAL_ATTRIBUTE',
            message: `critical attribute(s) ${JSON.stringify(verified.unprocessed.map((a) => a.key))} cannot be processed: the plugin "${plugin.metadata.name}" has no verification left to run under this trust policy`,
          });
          return finish();
        }
      } else if (await runPlugin(plugin, requested, verified, content, context, recorder)) {
        return finish();
      }
    }

    // 8. User metadata: always enforced.
    if (context.userMetadata && Object.keys(context.userMetadata).length > 0) {
      const missing = missingMetadata(payload, context.userMetadata);
      if (missing.length > 0) {
        recorder.failAlways('integrity', {
          code: 'USER_METADATA_MISMATCH',
          message: `unable to find specified metadata in the signature: ${missing.join(', ')}`,
        });
        return finish();
      }
    }
    return finish();
  } catch (err) {
    if (isAbort(err, signal)) {
      throw isNotaryFailure(err) ? err : new NotaryError('VERIFICATION_TIMEOUT', 'signature verification was cancelled: the verification deadline passed', { cause: err });
    }
    // Fail closed: an unexpected error can never let a signature pass.
    recorder.failAlways('integrity', toErrorInfo(err, 'INTERNAL_ERROR'));
    return finish();
  }
}

/**
 * The signer's certificate chain, parsed with the facts the requirements read (throws as
 * parseCertificate does), `pacer` yielding between the steps: a long chain of big keys is the
 * sender's choice, and other requests must not wait for all of it.
 */
async function parseChain(certificateChain: readonly Uint8Array[], pacer: Pacer): Promise<X509Certificate[]> {
  const chain: X509Certificate[] = [];
  for (const der of certificateChain) {
    const certificate = recodeInvalidCertificate('INVALID_INPUT', () => parseCertificate(der));
    await pacer.step();
    certificateFacts(certificate);
    chain.push(certificate);
    await pacer.step();
  }
  return chain;
}

function describeContent(result: SignatureVerification, content: EnvelopeContent): void {
  const { signedAttributes } = content.signerInfo;
  result.signingScheme = signedAttributes.signingScheme;
  result.signingTime = signedAttributes.signingTime.toISOString();
  if (signedAttributes.expiry) result.expiry = signedAttributes.expiry.toISOString();
  if (signedAttributes.authenticSigningTime) result.authenticSigningTime = signedAttributes.authenticSigningTime.toISOString();
  if (signedAttributes.extendedAttributes.length > 0) result.extendedAttributes = signedAttributes.extendedAttributes.map((attribute) => ({ ...attribute }));
}

function describeChain(result: SignatureVerification, chain: readonly X509Certificate[]): void {
  try {
    result.certificateChain = chain.map((certificate) => certificate.subject);
  } catch {
    // A name that cannot be printed is the authenticity step's to report.
  }
}

/** Run verify-signature and apply its results; returns true when the signature must stop (critical failure). */
async function runPlugin(
  plugin: PreparedPlugin,
  requested: VerificationCapability[],
  verified: VerifiedEnvelope,
  content: EnvelopeContent,
  context: SignatureCheckContext,
  recorder: ValidationRecorder,
): Promise<boolean> {
  const name = plugin.metadata.name;
  let results;
  try {
    const request = buildVerifySignatureRequest(content, requested, context.policy.trustedIdentities, verified.unprocessed, context.pluginConfig);
    const response = await plugin.plugin.verifySignature(request, { signal: context.signal });
    results = interpretVerifySignatureResponse(name, requested, verified.unprocessed.map((a) => a.key), response);
  } catch (err) {
    if (isAbort(err, context.signal)) throw err;
    const info = toErrorInfo(err, 'PLUGIN_ERROR');
    return recorder.failAlways('authenticity', { code: info.code, message: `failed to verify with plugin ${name}: ${info.message}` });
  }
  const identity = results.get(CAPABILITY_TRUSTED_IDENTITY);
  if (identity && !identity.success) {
    const message = `trusted identity verification by plugin "${name}" failed with reason "${identity.reason ?? ''}"`;
    if (recorder.fail('authenticity', { code: 'UNTRUSTED_IDENTITY', message })) return true;
  }
  const revocation = results.get(CAPABILITY_REVOCATION_CHECK);
  if (revocation) {
    if (revocation.success) {
      recorder.pass('revocation');
    } else {
      const message = `revocation check by verification plugin "${name}" failed with reason "${revocation.reason ?? ''}"`;
      if (recorder.fail('revocation', { code: 'CERTIFICATE_REVOKED', message })) return true;
    }
  }
  return false;
}
