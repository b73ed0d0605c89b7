// Signing as cosign does it with a key: simple-signing payloads and in-toto DSSE envelopes appended to the legacy tags.
import { createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { encodeJsonDocument, encodeManifest, isImageIndex, MEDIA_TYPE_OCI_CONFIG, MEDIA_TYPE_OCI_MANIFEST, OciError, type Descriptor, type ImageManifest } from '../oci/index.js';
import { goJsonEscape } from '../common/index.js';
import { toPem } from '../pki/index.js';
import { ANNOTATION_BUNDLE, ANNOTATION_CERTIFICATE, ANNOTATION_CHAIN, ANNOTATION_PREDICATE_TYPE, ANNOTATION_SIGNATURE, DEFAULT_SIGNATURE_ALGORITHM, PAYLOAD_TYPE_IN_TOTO, SIMPLE_SIGNING_TYPE } from './constants.js';
import { preAuthEncoding } from './dsse.js';
import { CosignError } from './errors.js';
import { checkKeyType } from './keys.js';
import { KIND_FORMAT, signatureTag, type SignatureKind, type SignatureLocation } from './layers.js';
import type { SignatureAlgorithm } from './options.js';

/** The in-toto statement type cosign attest writes. */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v0.1';

/** What a transparency log returns for an entry: the bundle annotation's JSON (a log, or a test's double of one). */
export type BundleMaker = (entry: { kind: SignatureKind; payload: Uint8Array; signature: Uint8Array; publicKeyPem: string }) => string | Promise<string>;

export interface SignOptions {
  privateKey: KeyObject;
  hash?: SignatureAlgorithm;
  /** PEM certificate of the key, and its chain (intermediates, root last), written as annotations. */
  certificate?: string;
  chain?: string;
  /** Makes the `dev.sigstore.cosign/bundle` annotation; none: no tlog entry (cosign `--tlog-upload=false`). */
  bundle?: BundleMaker;
  signal?: AbortSignal;
}

/** The image being signed: its repository name (the payload's docker-reference) and resolved digest. */
export interface SignTarget {
  /** `registry/repository`. */
  repository: string;
  digest: string;
}

export interface SignResult {
  /** `sha256-<hex>.sig` (or `.att`). */
  tag: string;
  layer: Descriptor;
  manifest: Descriptor;
}

/** A raw signature as cosign's signers make it: ECDSA ASN.1 and RSA PKCS#1 v1.5 over the hash, Ed25519 over the data. */
export function signBytes(privateKey: KeyObject, data: Uint8Array, hash: SignatureAlgorithm = DEFAULT_SIGNATURE_ALGORITHM): Uint8Array {
  const type = checkKeyType(createPublicKey(privateKey), 'signing key').asymmetricKeyType;
  if (type === 'ed25519') return new Uint8Array(cryptoSign(null, data, privateKey));
  if (type === 'ec') return new Uint8Array(cryptoSign(hash, data, { key: privateKey, dsaEncoding: 'der' }));
  return new Uint8Array(cryptoSign(hash, data, privateKey));
}

/** The simple-signing payload, byte for byte as cosign's Go structs marshal it (`optional` null without annotations). */
export function simpleSigningPayload(target: SignTarget, annotations: Record<string, string> | undefined): Uint8Array {
  const optional = annotations && Object.keys(annotations).length > 0 ? Object.fromEntries(Object.keys(annotations).sort().map((key) => [key, annotations[key]])) : null;
  const document = {
    critical: { identity: { 'docker-reference': target.repository }, image: { 'docker-manifest-digest': target.digest }, type: SIMPLE_SIGNING_TYPE },
    optional,
  };
  return new TextEncoder().encode(goJsonEscape(JSON.stringify(document)));
}

function publicKeyPem(privateKey: KeyObject): string {
  return toPem('PUBLIC KEY', new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })));
}

/** The signature image's config as go-containerregistry writes it for cosign (empty image plus layers). */
function signatureConfig(layers: Descriptor[]): Uint8Array {
  return encodeJsonDocument({
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.digest) },
    config: {},
  });
}

/** Append a layer to the tag's manifest (made when missing); an identical layer is not added twice. Tests push crafted layers through it. */
export async function appendLayer(location: SignatureLocation, target: SignTarget, kind: SignatureKind, bytes: Uint8Array, annotations: Record<string, string>, signal?: AbortSignal): Promise<SignResult> {
  const request = signal ? { signal } : {};
  const tag = signatureTag(target.digest, kind);
  let layers: Descriptor[] = [];
  try {
    const existing = await location.store.fetchManifest(tag, request);
    if (isImageIndex(existing.manifest)) throw new CosignError('MALFORMED_SIGNATURE', `${location.name}:${tag} is an index, not cosign's signature manifest`);
    layers = existing.manifest.layers;
  } catch (err) {
    if (!(err instanceof OciError && err.code === 'MANIFEST_NOT_FOUND')) throw err;
  }
  const pushed = await location.store.pushBlob(bytes, KIND_FORMAT[kind].mediaType, request);
  const layer: Descriptor = { mediaType: KIND_FORMAT[kind].mediaType, digest: pushed.digest, size: pushed.size, annotations };
  const same = (other: Descriptor): boolean => other.digest === layer.digest && JSON.stringify(other.annotations ?? {}) === JSON.stringify(annotations);
  if (!layers.some(same)) layers = [...layers, layer];
  const config = await location.store.pushBlob(signatureConfig(layers), MEDIA_TYPE_OCI_CONFIG, request);
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_MANIFEST, config, layers };
  const descriptor = await location.store.pushManifest(encodeManifest(manifest), MEDIA_TYPE_OCI_MANIFEST, tag, request);
  return { tag, layer, manifest: descriptor };
}

async function commonAnnotations(kind: SignatureKind, payload: Uint8Array, signature: Uint8Array, options: SignOptions): Promise<Record<string, string>> {
  const annotations: Record<string, string> = {};
  if (options.certificate) annotations[ANNOTATION_CERTIFICATE] = options.certificate;
  if (options.chain) annotations[ANNOTATION_CHAIN] = options.chain;
  if (options.bundle) annotations[ANNOTATION_BUNDLE] = await options.bundle({ kind, payload, signature, publicKeyPem: options.certificate ?? publicKeyPem(options.privateKey) });
  return annotations;
}

/** cosign sign --key: a simple-signing payload for the digest, signed, appended to `sha256-<hex>.sig`. */
export async function signImage(location: SignatureLocation, target: SignTarget, options: SignOptions & { annotations?: Record<string, string> }): Promise<SignResult> {
  const payload = simpleSigningPayload(target, options.annotations);
  const signature = signBytes(options.privateKey, payload, options.hash);
  const annotations = { [ANNOTATION_SIGNATURE]: Buffer.from(signature).toString('base64'), ...(await commonAnnotations('signatures', payload, signature, options)) };
  return appendLayer(location, target, 'signatures', payload, annotations, options.signal);
}

/** The in-toto statement cosign attest writes about the digest. */
export function inTotoStatement(target: SignTarget, predicateType: string, predicate: unknown): Uint8Array {
  const statement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    predicateType,
    subject: [{ name: target.repository, digest: { sha256: target.digest.replace(/^sha256:/, '') } }],
    predicate,
  };
  return new TextEncoder().encode(JSON.stringify(statement));
}

/** cosign attest --key: an in-toto statement about the digest in a signed DSSE envelope, appended to `sha256-<hex>.att`. */
export async function attestImage(location: SignatureLocation, target: SignTarget, options: SignOptions & { predicateType: string; predicate: unknown; payloadType?: string }): Promise<SignResult> {
  const body = inTotoStatement(target, options.predicateType, options.predicate);
  const payloadType = options.payloadType ?? PAYLOAD_TYPE_IN_TOTO;
  const signature = signBytes(options.privateKey, preAuthEncoding({ payloadType, payload: body, signatures: [] }), options.hash);
  const envelope = new TextEncoder().encode(
    JSON.stringify({ payloadType, payload: Buffer.from(body).toString('base64'), signatures: [{ keyid: '', sig: Buffer.from(signature).toString('base64') }] }),
  );
  const annotations = { [ANNOTATION_SIGNATURE]: '', [ANNOTATION_PREDICATE_TYPE]: options.predicateType, ...(await commonAnnotations('attestations', envelope, signature, options)) };
  return appendLayer(location, target, 'attestations', envelope, annotations, options.signal);
}
