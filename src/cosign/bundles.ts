// cosign's new bundle format: Sigstore bundle v0.3 referrers of the image, verified with src/sigstore's verifyBundle under the cosign options.
import { abortReason } from '../common/index.js';
import type { Descriptor } from '../oci/index.js';
import { MAX_BUNDLE_BYTES, parseBundle, verifyBundle, type BundlePolicy, type SigstoreTrust, type VerifiedBundle } from '../sigstore/index.js';
import { toErrorInfo, type PinnedImage } from '../verification/index.js';
import { DEFAULT_MAX_SIGNATURES, MEDIA_TYPE_SIGSTORE_BUNDLE_V03 } from './constants.js';
import { parseStatement } from './dsse.js';
import { CosignError } from './errors.js';
import type { SignatureKind, SignatureLocation } from './layers.js';
import type { CosignVerifyOptions } from './options.js';
import type { CosignSignatureOutcome, InTotoStatement, SignerInfo } from './outcome.js';

/** The Sigstore bundle referrers of the image (artifactType v0.3), at most `maxSignatures` of them (SIGNATURE_LIMIT_EXCEEDED past it). */
export async function listBundleReferrers(location: SignatureLocation, image: PinnedImage, maxSignatures: number | undefined, signal: AbortSignal): Promise<Descriptor[]> {
  const referrers = await location.store.referrers(image.descriptor, MEDIA_TYPE_SIGSTORE_BUNDLE_V03, { signal });
  const max = maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  if (referrers.length > max) {
    throw new CosignError('SIGNATURE_LIMIT_EXCEEDED', `maximum number of Sigstore bundles on an image is ${max}, found ${referrers.length} (${location.name}@${image.digest} referrers)`);
  }
  return referrers;
}

/** One policy to verify a bundle under: the keyless identity, or one of the policy keys (its index). */
interface BundleSigner {
  policy: BundlePolicy;
  keyIndex?: number;
}

/** The bundle policies the cosign options give: keyless identity, or each key. Certificate modes are not applied to bundles (COSIGN_UNSUPPORTED). */
export function bundleSigners(options: CosignVerifyOptions): BundleSigner[] {
  const common: BundlePolicy = {
    ...(options.rekor?.ignoreTlog ? { ignoreTlog: true } : {}),
    ...(options.ctlog?.ignoreSCT ? { ignoreSCT: true } : {}),
    ...(options.ctlog?.pubKey ? { ctlogPublicKeys: [options.ctlog.pubKey] } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  if (options.keyless) {
    const { roots, ...identity } = options.keyless;
    if (roots) throw new CosignError('COSIGN_UNSUPPORTED', 'keyless roots (instead of the trusted root\'s Fulcio CAs) are not applied to Sigstore bundles yet');
    return [{ policy: { ...common, identity } }];
  }
  if (options.keys && options.keys.length > 0) return options.keys.map((publicKey, keyIndex) => ({ policy: { ...common, publicKey }, keyIndex }));
  throw new CosignError('COSIGN_UNSUPPORTED', 'certificate and certificate-chain policies are not applied to Sigstore bundles yet (keys and keyless identities are)');
}

export interface BundleResult {
  outcome: CosignSignatureOutcome;
  statement?: InTotoStatement;
}

function codeOf(err: unknown): unknown {
  return (err as { code?: unknown } | undefined)?.code;
}

function signerOf(verified: VerifiedBundle, signer: BundleSigner): SignerInfo {
  const certificate = verified.certificate;
  if (!certificate) return { kind: 'key', ...(signer.keyIndex === undefined ? {} : { keyIndex: signer.keyIndex }) };
  return {
    kind: 'certificate',
    subject: certificate.subject,
    sans: certificate.subjectAlternativeNames.map((san) => `${san.kind}:${san.value}`),
    ...(certificate.issuer ? { issuer: certificate.issuer } : {}),
  };
}

/**
 * One bundle referrer: its manifest's bundle layer (bounded by MAX_BUNDLE_BYTES before it is read),
 * the bundle over the image digest — a message signature for `signatures`, a DSSE envelope whose in-toto
 * subject is the image for `attestations` — under the first signer it verifies with; undefined for a bundle of the other kind.
 */
export async function verifyBundleReferrer(
  location: SignatureLocation,
  referrer: Descriptor,
  kind: SignatureKind,
  image: PinnedImage,
  signers: BundleSigner[],
  trust: SigstoreTrust,
  signal: AbortSignal,
): Promise<BundleResult | undefined> {
  const { manifest } = await location.store.fetchManifest(referrer, { signal });
  const layers = 'layers' in manifest && Array.isArray(manifest.layers) ? (manifest.layers as Descriptor[]) : [];
  const layer = layers.find((candidate) => candidate.mediaType === MEDIA_TYPE_SIGSTORE_BUNDLE_V03);
  if (!layer) throw new CosignError('MALFORMED_SIGNATURE', `the bundle referrer ${referrer.digest} has no ${MEDIA_TYPE_SIGSTORE_BUNDLE_V03} layer`);
  if (layer.size > MAX_BUNDLE_BYTES) throw new CosignError('MALFORMED_SIGNATURE', `the bundle layer is ${layer.size} bytes, more than the limit of ${MAX_BUNDLE_BYTES}`);
  const bundle = parseBundle(await location.store.fetchBlob(layer, { signal }));
  // A bundle of the other kind (an attestation when signatures are asked for, or the reverse) is not one of these.
  if (bundle.content.$case !== (kind === 'signatures' ? 'messageSignature' : 'dsseEnvelope')) return undefined;
  let first: unknown;
  for (const signer of signers) {
    let verified: VerifiedBundle;
    try {
      verified = verifyBundle(bundle, { digest: image.digest }, signer.policy, trust);
    } catch (err) {
      // A key the signature verified with says best what else failed (cosign tries the one key it is given).
      if (first === undefined || (codeOf(first) === 'INVALID_SIGNATURE' && codeOf(err) !== 'INVALID_SIGNATURE')) first = err;
      continue;
    }
    const outcome: CosignSignatureOutcome = { layer: referrer.digest, verified: true, signer: signerOf(verified, signer) };
    if (!verified.dsse) return { outcome };
    const statement = parseStatement({ payloadType: verified.dsse.payloadType, payload: verified.dsse.payload, signatures: [] });
    outcome.predicateType = statement.predicateType;
    return { outcome, statement };
  }
  throw first ?? new CosignError('INVALID_SIGNATURE', 'no key to verify with');
}

/** Each referrer tried; a failed one is an outcome with its error, one of the other kind none (an abort rethrows). */
export async function verifyBundleReferrers(
  location: SignatureLocation,
  referrers: readonly Descriptor[],
  kind: SignatureKind,
  image: PinnedImage,
  options: CosignVerifyOptions,
  trust: SigstoreTrust,
  signal: AbortSignal,
): Promise<BundleResult[]> {
  let signers: BundleSigner[];
  try {
    signers = bundleSigners(options);
  } catch (err) {
    return referrers.map((referrer) => ({ outcome: { layer: referrer.digest, verified: false, error: toErrorInfo(err) } }));
  }
  const results: BundleResult[] = [];
  for (const referrer of referrers) {
    try {
      const result = await verifyBundleReferrer(location, referrer, kind, image, signers, trust, signal);
      if (result) results.push(result);
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      results.push({ outcome: { layer: referrer.digest, verified: false, error: toErrorInfo(err) } });
    }
  }
  return results;
}
