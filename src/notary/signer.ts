// Signs an OCI artifact the way notation does: resolve once, sign the descriptor, push the envelope and its signature manifest.
import type { KeyObject } from 'node:crypto';
import type { X509Certificate } from '@peculiar/x509';
import { MEDIA_TYPE_OCI_MANIFEST, type ArtifactStore, type Descriptor } from '../oci/index.js';
import { createNotaryPayload, hashOf, keyMatchesCertificate, signEnvelope } from './envelope/index.js';
import { NotaryError, recodeInvalidCertificate } from './errors.js';
import { buildSignatureManifest, type SignatureManifestForm } from './signature-manifest.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type ExtendedAttribute, type SignatureAlgorithm, type SignatureMediaType, type SigningScheme } from './types.js';
import { validateCodeSigningChain } from './x509/index.js';
import { HASH_ALGORITHM_OIDS, parseCertificate, requestTimestamp } from '../pki/index.js';
import { TSA_TRUST_HINT } from './verifier/constants.js';

import type { SignatureFormat } from './types.js';

export { SIGNATURE_FORMATS, type SignatureFormat } from './types.js';
const SIGNATURE_FORMAT_MEDIA_TYPES: Record<SignatureFormat, SignatureMediaType> = { jws: MEDIA_TYPE_JWS, cose: MEDIA_TYPE_COSE };
/** What imgverify writes as the signing agent (informational, unsigned). */
const DEFAULT_SIGNING_AGENT = 'imgverify/0.1.0';

/** Countersigns the primitive signature: an RFC 3161 TimeStampToken (DER) for it. */
export type Timestamper = (signature: Uint8Array, algorithm: SignatureAlgorithm) => Promise<Uint8Array>;

export interface SignArtifactOptions {
  key: KeyObject;
  /** DER certificates, leaf first; must meet the Notary certificate requirements at signing time. */
  certificateChain: Uint8Array[];
  /** Default `jws`, as notation. */
  signatureFormat?: SignatureFormat;
  /** Default `artifact` (OCI 1.1 artifactType), as notation 1.1+. */
  signatureManifest?: SignatureManifestForm;
  /** Signed as annotations of the target descriptor in the payload (notation's --user-metadata). */
  userMetadata?: Record<string, string>;
  /** Default `notary.x509`; `notary.x509.signingAuthority` signs the signing time as the authentic signing time (as AWS Signer does). */
  signingScheme?: SigningScheme;
  /** Signed extended attributes (e.g. AWS Signer's profile version and job, and the verification plugin). */
  extendedAttributes?: ExtendedAttribute[];
  expiry?: Date;
  timestamper?: Timestamper;
  signingAgent?: string;
  /** Default now; tests pin it. */
  signingTime?: Date;
  signal?: AbortSignal;
}

export interface SignArtifactResult {
  /** The descriptor that was signed: what the reference resolved to, once. */
  target: Descriptor;
  envelope: Descriptor & { mediaType: SignatureMediaType };
  /** The pushed signature manifest. */
  signatureManifest: Descriptor;
  form: SignatureManifestForm;
}

export interface TsaOptions {
  /** TSA roots the returned token must chain to; the token is verified before it is used. */
  rootCertificates: X509Certificate[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A timestamper that asks the RFC 3161 TSA at `url`, hashing the signature with the signing key's hash. */
export function tsaTimestamper(url: string, options: TsaOptions): Timestamper {
  return async (signature, algorithm) => {
    const hashAlgorithm = hashOf(algorithm);
    checkTimestampRequest(url, hashAlgorithm);
    return requestTimestamp(url, signature, {
      hashAlgorithm,
      rootCertificates: options.rootCertificates,
      untrustedHint: TSA_TRUST_HINT,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  };
}

/** The signer's input to a timestamp request: an http(s) URL and a hash the TSA protocol names. Throws INVALID_INPUT. */
function checkTimestampRequest(url: string, hashAlgorithm: string): void {
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch (err) {
    throw new NotaryError('INVALID_INPUT', `timestamp URL "${url}" is not a valid URL`, { cause: err });
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') {
    throw new NotaryError('INVALID_INPUT', `timestamp URL "${url}" must use http or https`);
  }
  if (!(hashAlgorithm in HASH_ALGORITHM_OIDS)) {
    throw new NotaryError('INVALID_INPUT', `unsupported timestamp hash algorithm ${hashAlgorithm}: use SHA-256, SHA-384 or SHA-512`);
  }
}

/**
 * Sign `reference` (a tag or digest in `store`) and push the signature. The tag is resolved once
 * and that descriptor is what gets signed and becomes the manifest's `subject`; the store keeps
 * the referrers index (Referrers API or tag schema) up to date.
 */
export async function signArtifact(store: ArtifactStore, reference: string, options: SignArtifactOptions): Promise<SignArtifactResult> {
  const format = options.signatureFormat ?? 'jws';
  const form = options.signatureManifest ?? 'artifact';
  const mediaType = SIGNATURE_FORMAT_MEDIA_TYPES[format];
  if (!mediaType) throw new NotaryError('INVALID_INPUT', `signature format "${String(format)}" is unknown; use jws or cose`);
  if (form !== 'artifact' && form !== 'image') {
    throw new NotaryError('INVALID_INPUT', `signature manifest "${String(form)}" is unknown; use artifact or image`);
  }
  const signingTime = options.signingTime ?? new Date();
  // Fail before touching the registry when the chain cannot make a signature notation accepts.
  const chain = options.certificateChain.map((der, index) =>
    recodeInvalidCertificate('INVALID_INPUT', () => parseCertificate(der, { source: `certificate ${index} of the signing chain` })),
  );
  validateCodeSigningChain(chain, { atTime: signingTime });
  if (!keyMatchesCertificate(options.key, options.certificateChain[0] as Uint8Array)) {
    throw new NotaryError('INVALID_INPUT', 'the signing key does not belong to the first certificate of the chain; give the key of the signing certificate');
  }

  const requestOptions = options.signal ? { signal: options.signal } : {};
  const resolved = await store.resolve(reference, requestOptions);
  const target: Descriptor = { mediaType: resolved.mediaType, digest: resolved.digest, size: resolved.size };
  const envelopeBytes = await signEnvelope({
    mediaType,
    payload: createNotaryPayload(target, options.userMetadata),
    signingScheme: options.signingScheme ?? 'notary.x509',
    signingTime,
    ...(options.extendedAttributes ? { extendedAttributes: options.extendedAttributes } : {}),
    ...(options.expiry ? { expiry: options.expiry } : {}),
    signingAgent: options.signingAgent ?? DEFAULT_SIGNING_AGENT,
    privateKey: options.key,
    certificateChain: options.certificateChain,
    ...(options.timestamper ? { timestamper: options.timestamper } : {}),
  });

  const envelope = await store.pushBlob(envelopeBytes, mediaType, requestOptions);
  const manifest = buildSignatureManifest({
    form,
    subject: target,
    envelope: { mediaType, digest: envelope.digest, size: envelope.size },
    certificateChain: options.certificateChain,
  });
  // A registry refuses a manifest whose config blob it does not hold.
  await store.pushBlob(manifest.config.bytes, manifest.config.descriptor.mediaType, requestOptions);
  const pushed = await store.pushManifest(manifest.bytes, MEDIA_TYPE_OCI_MANIFEST, undefined, requestOptions);
  return {
    target,
    envelope: { mediaType, digest: envelope.digest, size: envelope.size },
    signatureManifest: { ...pushed, ...(form === 'artifact' ? { artifactType: manifest.manifest.artifactType } : {}) },
    form,
  };
}
