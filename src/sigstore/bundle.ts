// Sigstore bundles (v0.1–v0.3): message signatures and DSSE envelopes verified against an artifact or its digest, with
// @sigstore/verify's transparency-log checks (SET, inclusion proof against a signed checkpoint, entry body) and our
// keyless certificate rules; every failure carries the code of the rule that failed.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bundleFromJSON, type Bundle, type TransparencyLogEntry } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { toSignedEntity, type SignedEntity } from '@sigstore/verify';
import { verifyTLogBody, verifyTLogInclusion } from '@sigstore/verify/dist/tlog/index.js';
import { readPem, toPem } from '../pki/index.js';
import { verifyKeylessCertificate, type VerifiedKeylessCertificate } from './certificate.js';
import { MAX_BUNDLE_BYTES, MAX_CHAIN_CERTIFICATES } from './constants.js';
import { verifyPrehashedSignature } from './digest-signature.js';
import { SigstoreError } from './errors.js';
import type { IdentityPolicy } from './identity.js';
import { verifyRfc3161Timestamp } from './timestamp.js';
import type { SigstoreTrust } from './trust.js';

/** The in-toto statement payload type (DSSE). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Most transparency log entries and RFC 3161 timestamps read from one bundle. */
export const MAX_BUNDLE_WITNESSES = 16;

/** What was signed: the artifact's bytes, or only its SHA-256 digest (`sha256:<hex>`). */
export type BundleArtifact = Uint8Array | { digest: string };

/** Who must have signed, and what may be skipped. Exactly one of `identity` (keyless) and `publicKey` (PEM). */
export interface BundlePolicy {
  identity?: IdentityPolicy;
  publicKey?: string;
  /** cosign --insecure-ignore-tlog: no log entry needed (and none checked); the signing time is then a TSA's, or now. */
  ignoreTlog?: boolean;
  ignoreSCT?: boolean;
  ctlogPublicKeys?: readonly string[];
  /** The time used when nothing trusted says when the signature was made (tests); default now. */
  now?: Date;
}

export interface BundleTimestamp {
  readonly source: 'tlog' | 'tsa';
  readonly at: Date;
}

export interface VerifiedBundle {
  readonly mediaType: string;
  readonly content: 'messageSignature' | 'dsseEnvelope';
  /** The verified certificate facts (keyless), or undefined when a public key signed. */
  readonly certificate: VerifiedKeylessCertificate | undefined;
  readonly timestamps: readonly BundleTimestamp[];
  readonly tlogEntries: number;
  /** The DSSE payload, for a caller that reads the statement. */
  readonly dsse?: { readonly payloadType: string; readonly payload: Uint8Array };
}

/** Parse a bundle from its JSON text or bytes (bounded), or from a parsed JSON value. BUNDLE_INVALID when it breaks the schema. */
export function parseBundle(input: string | Uint8Array | object): Bundle {
  let json: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > MAX_BUNDLE_BYTES) throw new SigstoreError('BUNDLE_INVALID', `the bundle is ${size} bytes, more than the limit of ${MAX_BUNDLE_BYTES}`);
    try {
      json = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
    } catch (err) {
      throw new SigstoreError('BUNDLE_INVALID', `the bundle is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  try {
    return bundleFromJSON(json);
  } catch (err) {
    throw new SigstoreError('BUNDLE_INVALID', `the bundle breaks the Sigstore bundle schema: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Verify `bundle` over `artifact` for `policy` with `trust`. Order: witnesses (log entries, TSA
 * timestamps) → signing key (certificate at every trusted time, or the policy's key) → signature →
 * artifact binding (digest or in-toto subject). Throws SigstoreError.
 */
export function verifyBundle(bundle: Bundle, artifact: BundleArtifact, policy: BundlePolicy, trust: SigstoreTrust): VerifiedBundle {
  if ((policy.identity === undefined) === (policy.publicKey === undefined)) {
    throw new SigstoreError('SIGSTORE_POLICY_INVALID', 'a bundle policy names either a certificate identity (keyless) or a public key, not both or neither');
  }
  const bytes = artifact instanceof Uint8Array ? Buffer.from(artifact) : undefined;
  const digest = bytes ? createHash('sha256').update(bytes).digest() : parseDigest((artifact as { digest: string }).digest);
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, bytes);
  } catch (err) {
    throw new SigstoreError('BUNDLE_INVALID', `the bundle's certificate or timestamps cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const tlogEntries = bundle.verificationMaterial.tlogEntries;
  const rfc3161 = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
  if (tlogEntries.length + rfc3161.length > MAX_BUNDLE_WITNESSES) {
    throw new SigstoreError('BUNDLE_INVALID', `the bundle has ${tlogEntries.length + rfc3161.length} log entries and timestamps, more than the limit of ${MAX_BUNDLE_WITNESSES}`);
  }

  const timestamps: BundleTimestamp[] = [];
  if (!policy.ignoreTlog) {
    if (tlogEntries.length === 0) throw new SigstoreError('TLOG_ENTRY_MISSING', 'the bundle has no transparency log entry (the log is required unless ignored)');
    for (const entry of tlogEntries) {
      checkTlogEntry(entry, entity, trust, bundle);
      if (entry.inclusionPromise) timestamps.push({ source: 'tlog', at: new Date(Number(entry.integratedTime) * 1000) });
    }
  }
  for (const token of rfc3161) {
    timestamps.push({ source: 'tsa', at: verifyRfc3161Timestamp(token.signedTimestamp, entity.signature.signature, trust) });
  }

  let key: KeyObject;
  let certificate: VerifiedKeylessCertificate | undefined;
  if (policy.identity !== undefined) {
    const material = bundle.verificationMaterial.content;
    if (material.$case === 'publicKey') {
      throw new SigstoreError('UNTRUSTED_IDENTITY', 'the bundle was signed with a public key, the policy asks for a certificate identity');
    }
    const chain = material.$case === 'x509CertificateChain' ? material.x509CertificateChain.certificates.map((cert) => cert.rawBytes) : [material.certificate.rawBytes];
    const [leaf, ...intermediates] = chain;
    if (!leaf) throw new SigstoreError('BUNDLE_INVALID', 'the bundle has an empty certificate chain');
    if (intermediates.length > MAX_CHAIN_CERTIFICATES) {
      throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `the bundle's chain has ${intermediates.length} certificates, more than the limit of ${MAX_CHAIN_CERTIFICATES}`);
    }
    // The certificate must be valid at every trusted time; with none (the log ignored, no TSA), now, as cosign does.
    const times = timestamps.length > 0 ? timestamps.map((timestamp) => timestamp.at) : [policy.now ?? new Date()];
    for (const signedAt of times) {
      certificate = verifyKeylessCertificate({
        certificate: leaf,
        chain: intermediates,
        signedAt,
        trust,
        identity: policy.identity,
        ...(policy.ignoreSCT === undefined ? {} : { ignoreSCT: policy.ignoreSCT }),
        ...(policy.ctlogPublicKeys === undefined ? {} : { ctlogPublicKeys: policy.ctlogPublicKeys }),
      });
    }
    if (!certificate) throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', 'no time to check the certificate at');
    if (!policy.ignoreTlog) checkTlogSigner(tlogEntries, leaf);
    key = certificate.publicKey;
  } else {
    key = policyKey(policy.publicKey ?? '');
  }

  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    const signed = content.messageSignature;
    if (signed.messageDigest && signed.messageDigest.digest.length > 0 && !signed.messageDigest.digest.equals(digest)) {
      throw new SigstoreError('TARGET_ARTIFACT_MISMATCH', `the bundle signs digest sha256:${signed.messageDigest.digest.toString('hex')}, not the artifact's sha256:${digest.toString('hex')}`);
    }
    const verified = bytes ? entity.signature.verifySignature(key) : verifyPrehashedSignature(key, digest, signed.signature);
    if (!verified) throw new SigstoreError('INVALID_SIGNATURE', 'the bundle\'s message signature does not verify over the artifact with the signer\'s key');
    return { mediaType: bundle.mediaType, content: 'messageSignature', certificate, timestamps, tlogEntries: policy.ignoreTlog ? 0 : tlogEntries.length };
  }
  const envelope = content.dsseEnvelope;
  if (envelope.signatures.length !== 1) throw new SigstoreError('BUNDLE_INVALID', `a bundle's DSSE envelope carries exactly one signature, this one ${envelope.signatures.length}`);
  if (!entity.signature.verifySignature(key)) throw new SigstoreError('INVALID_SIGNATURE', 'the DSSE envelope\'s signature does not verify over its PAE with the signer\'s key');
  checkInTotoSubject(envelope.payloadType, envelope.payload, digest);
  return {
    mediaType: bundle.mediaType,
    content: 'dsseEnvelope',
    certificate,
    timestamps,
    tlogEntries: policy.ignoreTlog ? 0 : tlogEntries.length,
    dsse: { payloadType: envelope.payloadType, payload: new Uint8Array(envelope.payload) },
  };
}

function parseDigest(digest: string): Buffer {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!match?.[1]) throw new SigstoreError('SIGSTORE_POLICY_INVALID', `an artifact digest is sha256: and 64 lowercase hex digits, not ${JSON.stringify(digest)}`);
  return Buffer.from(match[1], 'hex');
}

function policyKey(pem: string): KeyObject {
  const block = readPem(pem, 1).blocks[0];
  try {
    if (block?.der && block.label === 'PUBLIC KEY') return createPublicKey({ key: Buffer.from(block.der), format: 'der', type: 'spki' });
    return createPublicKey(pem);
  } catch (err) {
    throw new SigstoreError('SIGSTORE_POLICY_INVALID', `the public key cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

const TLOG_CODES = {
  TLOG_INCLUSION_PROOF_ERROR: 'TLOG_INCLUSION_PROOF_INVALID',
  TLOG_INCLUSION_PROMISE_ERROR: 'TLOG_SET_INVALID',
  TLOG_MISSING_INCLUSION_ERROR: 'TLOG_ENTRY_MISSING',
  TLOG_BODY_ERROR: 'TLOG_ENTRY_MISMATCH',
} as const;

function checkTlogEntry(entry: TransparencyLogEntry, entity: SignedEntity, trust: SigstoreTrust, bundle: Bundle): void {
  const logId = entry.logId.keyId.toString('hex');
  if (!trust.tlogs.has(logId)) throw new SigstoreError('TLOG_KEY_UNKNOWN', `the log entry's log ${logId} is not a transparency log of ${trust.origin}`);
  try {
    verifyTLogInclusion(entry, trust.trustMaterial.tlogs);
    if (bundle.content.$case === 'dsseEnvelope' && entry.kindVersion?.kind === 'hashedrekord' && entry.kindVersion.version === '0.0.2') {
      checkHashedRekordOverDsse(entry, bundle.content.dsseEnvelope);
    } else {
      verifyTLogBody(entry, entity.signature);
    }
  } catch (err) {
    const upstream = (err as { code?: string }).code;
    const code = upstream !== undefined && Object.hasOwn(TLOG_CODES, upstream) ? TLOG_CODES[upstream as keyof typeof TLOG_CODES] : 'TLOG_ENTRY_MISMATCH';
    throw new SigstoreError(code, `transparency log entry ${entry.logIndex} of log ${logId}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Rekor v2's "hashedrekord over DSSE" (rekor-v2 spec 6.1.4): the entry holds SHA-256(PAE(payloadType, payload)) and the
 * envelope's signature, which @sigstore/verify 3 does not read yet.
 */
function checkHashedRekordOverDsse(entry: TransparencyLogEntry, envelope: Extract<Bundle['content'], { $case: 'dsseEnvelope' }>['dsseEnvelope']): void {
  const body = JSON.parse(entry.canonicalizedBody.toString('utf8')) as {
    spec?: { hashedRekordV002?: { data?: { algorithm?: string; digest?: string }; signature?: { content?: string } } };
  };
  const spec = body.spec?.hashedRekordV002;
  const pae = dsse.preAuthEncoding(envelope.payloadType, envelope.payload);
  if (spec?.data?.algorithm !== 'SHA2_256' || !Buffer.from(spec.data.digest ?? '', 'base64').equals(createHash('sha256').update(pae).digest())) {
    throw new Error('the hashedrekord entry does not hold the SHA-256 of the envelope\'s PAE');
  }
  const signature = envelope.signatures[0]?.sig;
  if (!signature || !Buffer.from(spec.signature?.content ?? '', 'base64').equals(signature)) {
    throw new Error('the hashedrekord entry holds another signature than the envelope');
  }
}

/**
 * The log entry must name the bundle's certificate as its verifier (cosign compares them; @sigstore/verify
 * checks only the signature and digest), so an entry taken from another signer's bundle is refused.
 */
function checkTlogSigner(entries: readonly TransparencyLogEntry[], leaf: Buffer): void {
  for (const entry of entries) {
    const verifiers = entryVerifiers(entry);
    if (verifiers === undefined) continue;
    if (!verifiers.some((der) => der.equals(leaf))) {
      throw new SigstoreError('TLOG_ENTRY_MISMATCH', `transparency log entry ${entry.logIndex} was made for another certificate than the bundle's`);
    }
  }
}

/** The certificates (DER) a Rekor v1 entry body names, or undefined for a kind that names none we read. */
function entryVerifiers(entry: TransparencyLogEntry): Buffer[] | undefined {
  let body: { kind?: string; apiVersion?: string; spec?: Record<string, unknown> };
  try {
    body = JSON.parse(entry.canonicalizedBody.toString('utf8')) as typeof body;
  } catch {
    return undefined;
  }
  const spec = body.spec ?? {};
  const pems: unknown[] = [];
  const v2Certificate = (verifier: unknown): unknown => {
    const raw = (verifier as { x509Certificate?: { rawBytes?: unknown } } | undefined)?.x509Certificate?.rawBytes;
    return typeof raw === 'string' ? toPem('CERTIFICATE', Buffer.from(raw, 'base64')) : undefined;
  };
  if (body.kind === 'hashedrekord' && body.apiVersion === '0.0.2') {
    pems.push(v2Certificate((spec['hashedRekordV002'] as { signature?: { verifier?: unknown } } | undefined)?.signature?.verifier));
  } else if (body.kind === 'dsse' && body.apiVersion === '0.0.2') {
    for (const signature of (spec['dsseV002'] as { signatures?: { verifier?: unknown }[] } | undefined)?.signatures ?? []) pems.push(v2Certificate(signature.verifier));
  } else if (body.kind === 'hashedrekord' && body.apiVersion === '0.0.1') {
    pems.push((spec['signature'] as { publicKey?: { content?: unknown } } | undefined)?.publicKey?.content);
  } else if (body.kind === 'dsse' && body.apiVersion === '0.0.1') {
    for (const signature of (spec['signatures'] as { verifier?: unknown }[] | undefined) ?? []) pems.push(signature.verifier);
  } else if (body.kind === 'intoto') {
    const envelope = (spec['content'] as { envelope?: { signatures?: { publicKey?: unknown }[] } } | undefined)?.envelope;
    for (const signature of envelope?.signatures ?? []) pems.push(signature.publicKey);
  } else {
    return undefined;
  }
  return pems.flatMap((value) => {
    if (typeof value !== 'string') return [];
    const block = readPem(value.startsWith('-----') ? value : Buffer.from(value, 'base64').toString('utf8'), 1).blocks[0];
    return block?.der && block.label === 'CERTIFICATE' ? [Buffer.from(block.der)] : [];
  });
}

/** A DSSE bundle is about an artifact when its in-toto statement lists the artifact's SHA-256 as a subject. */
function checkInTotoSubject(payloadType: string, payload: Buffer, digest: Buffer): void {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new SigstoreError('TARGET_ARTIFACT_MISMATCH', `the DSSE payload type is ${JSON.stringify(payloadType)}, not an in-toto statement (${IN_TOTO_PAYLOAD_TYPE}) naming the artifact`);
  }
  let statement: { subject?: { digest?: Record<string, unknown> }[] };
  try {
    statement = JSON.parse(payload.toString('utf8')) as typeof statement;
  } catch (err) {
    throw new SigstoreError('BUNDLE_INVALID', `the DSSE payload is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const hex = digest.toString('hex');
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (!subjects.some((subject) => typeof subject?.digest?.['sha256'] === 'string' && subject.digest['sha256'].toLowerCase() === hex)) {
    throw new SigstoreError('TARGET_ARTIFACT_MISMATCH', `sha256:${hex} is not a subject of the in-toto statement`);
  }
}
