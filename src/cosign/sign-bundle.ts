// Signing in cosign's new bundle format with a key: a Sigstore bundle v0.3 (message signature or DSSE) pushed as a referrer of the image.
import { createHash, createPublicKey } from 'node:crypto';
import { pushArtifact, type Descriptor } from '../oci/index.js';
import { readPem } from '../pki/index.js';
import { MEDIA_TYPE_SIGSTORE_BUNDLE_V03, PAYLOAD_TYPE_IN_TOTO } from './constants.js';
import { preAuthEncoding } from './dsse.js';
import { CosignError } from './errors.js';
import type { SignatureLocation } from './layers.js';
import { inTotoStatement, signBytes, type SignOptions, type SignTarget } from './sign.js';

/** Annotations of the referrer manifest (cosign's bundle spec): what the bundle holds, and the predicate type of an attestation. */
export const ANNOTATION_BUNDLE_CONTENT = 'dev.sigstore.bundle.content';
export const ANNOTATION_BUNDLE_PREDICATE_TYPE = 'dev.sigstore.bundle.predicateType';

/** The image signed: its manifest bytes (what a message signature covers) and descriptor (the referrer's subject). */
export interface BundleSubject {
  manifest: Uint8Array;
  descriptor: Descriptor;
}

/** Options as for the legacy tags; no `bundle` maker: a bundle signed here carries no tlog entry (nothing is uploaded to Rekor). */
export type BundleSignOptions = Omit<SignOptions, 'bundle' | 'chain'>;

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/**
 * The bundle's verification material: the certificate when one is given, else the public key hint
 * (base64 of the SHA-256 of the key's SPKI DER; informational, verification never reads it). No tlog entry.
 */
function verificationMaterial(options: BundleSignOptions): object {
  const base = { tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } };
  if (options.certificate) {
    const der = readPem(options.certificate, 1).blocks[0]?.der;
    if (!der) throw new CosignError('INVALID_INPUT', 'the certificate is not a PEM certificate');
    return { certificate: { rawBytes: Buffer.from(der).toString('base64') }, ...base };
  }
  const spki = createPublicKey(options.privateKey).export({ format: 'der', type: 'spki' });
  return { publicKey: { hint: sha256(spki).toString('base64') }, ...base };
}

async function push(location: SignatureLocation, subject: BundleSubject, bundle: object, annotations: Record<string, string>, signal: AbortSignal | undefined): Promise<Descriptor> {
  const bytes = new TextEncoder().encode(JSON.stringify(bundle));
  const pushed = await pushArtifact(location.store, {
    artifactType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
    subject: subject.descriptor,
    blobs: [{ mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03, bytes }],
    annotations,
    ...(signal ? { signal } : {}),
  });
  return pushed.descriptor;
}

/** cosign sign --new-bundle-format --key: a message signature over the image manifest, its digest in the bundle. */
export async function signImageBundle(location: SignatureLocation, subject: BundleSubject, options: BundleSignOptions): Promise<Descriptor> {
  const digest = sha256(subject.manifest);
  if (`sha256:${digest.toString('hex')}` !== subject.descriptor.digest) throw new CosignError('TARGET_ARTIFACT_MISMATCH', `the manifest bytes are not those of ${subject.descriptor.digest}`);
  const bundle = {
    mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
    verificationMaterial: verificationMaterial(options),
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: digest.toString('base64') },
      signature: Buffer.from(signBytes(options.privateKey, subject.manifest, options.hash)).toString('base64'),
    },
  };
  return push(location, subject, bundle, { [ANNOTATION_BUNDLE_CONTENT]: 'message-signature' }, options.signal);
}

/** cosign attest --new-bundle-format --key: an in-toto statement about the image in a DSSE envelope. */
export async function attestImageBundle(location: SignatureLocation, subject: BundleSubject, target: SignTarget, options: BundleSignOptions & { predicateType: string; predicate: unknown }): Promise<Descriptor> {
  const payload = inTotoStatement(target, options.predicateType, options.predicate);
  const signature = signBytes(options.privateKey, preAuthEncoding({ payloadType: PAYLOAD_TYPE_IN_TOTO, payload, signatures: [] }), options.hash);
  const bundle = {
    mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
    verificationMaterial: verificationMaterial(options),
    dsseEnvelope: { payload: Buffer.from(payload).toString('base64'), payloadType: PAYLOAD_TYPE_IN_TOTO, signatures: [{ sig: Buffer.from(signature).toString('base64'), keyid: '' }] },
  };
  return push(location, subject, bundle, { [ANNOTATION_BUNDLE_CONTENT]: 'dsse-envelope', [ANNOTATION_BUNDLE_PREDICATE_TYPE]: options.predicateType }, options.signal);
}
