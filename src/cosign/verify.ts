// The cosign verifier: the Sigstore bundle referrers of the pinned image, else its signature tag; each checked, decided as cosign 2 does.
import type { KeyObject, X509Certificate } from 'node:crypto';
import { abortReason } from '../common/index.js';
import type { ArtifactStore, Descriptor, RegistryClient } from '../oci/index.js';
import { toErrorInfo, type ErrorInfo, type PinnedImage } from '../verification/index.js';
import { checkExpiry, parseCertificates, verifyChain } from './certificates.js';
import { DEFAULT_SIGNATURE_ALGORITHM } from './constants.js';
import { checkStatementSubject, parseEnvelope, parseStatement, preAuthEncoding } from './dsse.js';
import { CosignError } from './errors.js';
import { decodeBase64, parsePublicKeys, spki, verifySignature } from './keys.js';
import { fetchLayer, listSignatureLayers, signatureLayer, signatureLocation, type SignatureKind, type SignatureLayer, type SignatureLocation } from './layers.js';
import type { CosignAttestationOptions, CosignVerifyOptions, SignatureAlgorithm } from './options.js';
import type { CosignAttestationsOutcome, CosignSignatureOutcome, CosignSignaturesOutcome, InTotoStatement, SignerInfo, SimpleSigningPayload } from './outcome.js';
import { checkSimpleSigningClaims, parseSimpleSigning } from './payload.js';
import { parseLogKeys, parseRekorBundle, verifyRekorBundle, type LogKeys } from './rekor.js';
import { keylessVerifier, loadTrust, parseTimestampAnnotation, type KeylessMaterial } from './keyless.js';
import { verifyRfc3161Timestamp, type SigstoreTrust } from '../sigstore/index.js';
import { listBundleReferrers, verifyBundleReferrers } from './bundles.js';
import type { TlogEntryInfo } from './outcome.js';

/**
 * Where signatures are read: a registry client (the image's repository, or `options.repository`),
 * or one store that holds them (an OCI layout, air-gapped).
 */
export type CosignSource = RegistryClient | ArtifactStore;

/** What the options establish once per verification: the keys or roots a layer is checked against. */
interface Material {
  /** Keys a signature may verify with (the policy's keys, or the policy certificate's key). */
  keys: KeyObject[];
  keySource: 'keys' | 'certificate';
  /** Roots the signature's own certificate must chain to (`certificateChain` without `certificate`). */
  roots: X509Certificate[];
  hash: SignatureAlgorithm;
  /** Undefined when the transparency log is ignored. */
  tlog: { keys: LogKeys } | undefined;
  /** The trusted root, when one is needed (keyless, tlog keys without rekor.pubKey) or given: its TSAs date signatures. */
  trust: SigstoreTrust | undefined;
  keyless?: KeylessMaterial;
}

async function prepare(options: CosignVerifyOptions): Promise<Material> {
  const hash = options.signatureAlgorithm ?? DEFAULT_SIGNATURE_ALGORITHM;
  const needsTrust = options.keyless !== undefined || options.trustedRoot !== undefined || (!options.rekor?.ignoreTlog && !options.rekor?.pubKey);
  const trust = needsTrust ? await loadTrust(options.trustedRoot) : undefined;
  const tlog = options.rekor?.ignoreTlog ? undefined : { keys: logKeys(options, trust) };
  const base = { hash, tlog, trust };
  if (options.keyless) {
    if (options.keys?.length || options.certificate) throw new CosignError('INVALID_INPUT', 'a keyless identity excludes keys and certificates');
    return { ...base, keys: [], keySource: 'certificate', roots: [], keyless: { identity: options.keyless, ...(options.ctlog ? { ctlog: options.ctlog } : {}) } };
  }
  if (options.keys && options.keys.length > 0) {
    return { ...base, keys: parsePublicKeys(options.keys), keySource: 'keys', roots: [] };
  }
  if (options.certificate) {
    const [leaf] = parseCertificates(options.certificate, 'certificate', 'INVALID_INPUT');
    const certificate = leaf as X509Certificate;
    if (options.certificateChain) {
      // cosign's ValidateAndUnpackCertWithChain: the last certificate is the root, the rest intermediates; judged at the leaf's NotBefore.
      const chain = parseCertificates(options.certificateChain, 'certificate chain', 'INVALID_INPUT');
      verifyChain(certificate, chain.slice(-1), chain.slice(0, -1), new Date(certificate.validFrom));
    }
    return { ...base, keys: [certificate.publicKey], keySource: 'certificate', roots: [] };
  }
  if (options.certificateChain) {
    // Kyverno's certChain alone: every certificate of it is a root the signature's certificate must chain to.
    return { ...base, keys: [], keySource: 'certificate', roots: parseCertificates(options.certificateChain, 'certificate chain', 'INVALID_INPUT') };
  }
  throw new CosignError('INVALID_INPUT', 'no public key material available: give keys, a certificate, a certificate chain or a keyless identity');
}

/** Rekor keys by logID: rekor.pubKey when given (Kyverno, --rekor-public-key), else the trusted root's logs. */
function logKeys(options: CosignVerifyOptions, trust: SigstoreTrust | undefined): LogKeys {
  if (options.rekor?.pubKey) return parseLogKeys(options.rekor.pubKey);
  const keys = new Map<string, KeyObject>();
  for (const [logId, entries] of trust?.tlogs ?? []) if (entries[0]) keys.set(logId, entries[0].publicKey);
  return keys;
}

/** The signer a layer's signature verifies with: a policy key, or the signature's certificate chained to the roots. */
interface Verifier {
  key: KeyObject;
  signer: SignerInfo;
  /** The signature's certificate and its issuers (leaf first), whose expiry is checked at the signing time. */
  chain: X509Certificate[];
}

function describeCertificate(certificate: X509Certificate): Pick<SignerInfo, 'subject' | 'sans'> {
  return {
    subject: certificate.subject.replace(/\n/g, ', '),
    ...(certificate.subjectAltName ? { sans: certificate.subjectAltName.split(', ') } : {}),
  };
}

function layerCertificate(layer: SignatureLayer): X509Certificate | undefined {
  return layer.certificate ? parseCertificates(layer.certificate, 'the signature certificate', 'MALFORMED_SIGNATURE')[0] : undefined;
}

/** The verifiers to try for a layer (every policy key; or the one its certificate gives). */
function verifiersFor(layer: SignatureLayer, material: Material): Verifier[] {
  const certificate = layerCertificate(layer);
  if (material.roots.length > 0) {
    if (!certificate) throw new CosignError('INVALID_SIGNATURE', 'no certificate found on signature');
    // Intermediates come from the chain annotation, its last certificate (the root) left out, as cosign does.
    const annotated = layer.chain ? parseCertificates(layer.chain, 'the signature chain', 'MALFORMED_SIGNATURE') : [];
    const chain = verifyChain(certificate, material.roots, annotated.length > 1 ? annotated.slice(0, -1) : [], new Date(certificate.validFrom));
    return [{ key: certificate.publicKey, signer: { kind: 'certificate', ...describeCertificate(certificate) }, chain }];
  }
  if (certificate && !material.keys.some((key) => key.equals(certificate.publicKey))) {
    throw new CosignError('INVALID_SIGNATURE', 'both public key and certificate were provided but did not match');
  }
  return material.keys.map((key, index) => ({
    key,
    signer: material.keySource === 'keys' ? { kind: 'key', keyIndex: index } : { kind: 'certificate', ...(certificate ? describeCertificate(certificate) : {}) },
    chain: certificate ? [certificate] : [],
  }));
}

/** The first verifier under which `verify` passes; else the first verifier's failure (cosign tries one key per run). */
function firstVerifying(verifiers: Verifier[], verify: (key: KeyObject) => void): Verifier {
  let first: unknown;
  for (const verifier of verifiers) {
    try {
      verify(verifier.key);
      return verifier;
    } catch (err) {
      first ??= err;
    }
  }
  throw first ?? new CosignError('INVALID_SIGNATURE', 'no key to verify with');
}

/**
 * The times a keyless layer's certificate is judged at: the Rekor integrated time (its bundle verified
 * against the layer's certificate, signature and payload) and the time of its RFC 3161 timestamp
 * (over the signature, by a TSA of the trusted root).
 */
function signingTimes(layer: SignatureLayer, bytes: Uint8Array, kind: SignatureKind, material: Material): { times: Date[]; tlog?: TlogEntryInfo } {
  const times: Date[] = [];
  let tlog: TlogEntryInfo | undefined;
  const signature = kind === 'signatures' ? decodeBase64(layer.signature, 'base64 signature') : undefined;
  if (material.tlog) {
    if (!layer.bundle) {
      throw new CosignError('TLOG_ENTRY_MISSING', 'signature has no transparency log entry (no Rekor bundle annotation); imgverify never looks entries up online: offline verification failed');
    }
    if (!layer.certificate) throw new CosignError('INVALID_SIGNATURE', 'no certificate found on signature');
    const leaf = parseCertificates(layer.certificate, 'the signature certificate', 'MALFORMED_SIGNATURE')[0] as X509Certificate;
    tlog = verifyRekorBundle(parseRekorBundle(layer.bundle), { payload: bytes, ...(signature ? { signature } : {}), keyDer: new Uint8Array(leaf.raw) }, material.tlog.keys);
    times.push(new Date(tlog.integratedTime * 1000));
  }
  if (layer.rfc3161Timestamp && signature && material.trust) {
    times.push(verifyRfc3161Timestamp(parseTimestampAnnotation(layer.rfc3161Timestamp), signature, material.trust));
  }
  return { times, ...(tlog ? { tlog } : {}) };
}

interface LayerResult {
  outcome: CosignSignatureOutcome;
  payload?: SimpleSigningPayload;
  statement?: InTotoStatement;
}

/** cosign's verifyInternal for one layer, offline: signature, transparency log, claims, certificate expiry. */
async function verifyLayer(location: SignatureLocation, descriptor: Descriptor, kind: SignatureKind, image: PinnedImage, material: Material, options: CosignVerifyOptions, signal: AbortSignal): Promise<LayerResult> {
  const layer = signatureLayer(descriptor, kind);
  const bytes = await fetchLayer(location, descriptor, kind, signal);
  // Keyless: the certificate is judged at the times the tlog and a TSA vouch for, so those come first.
  const early = material.keyless ? signingTimes(layer, bytes, kind, material) : undefined;
  const verifiers = material.keyless && early ? [{ ...keylessVerifier(layer, material.keyless, early.times, material.trust, options.now ?? new Date()), chain: [] }] : verifiersFor(layer, material);

  let verifier: Verifier;
  let rawSignature: Uint8Array | undefined;
  let payload: SimpleSigningPayload | undefined;
  let statement: InTotoStatement | undefined;
  if (kind === 'signatures') {
    const signature = decodeBase64(layer.signature, 'base64 signature');
    rawSignature = signature;
    verifier = firstVerifying(verifiers, (key) => verifySignature(key, bytes, signature, material.hash));
    payload = parseSimpleSigning(bytes);
  } else {
    const envelope = parseEnvelope(bytes);
    const signed = preAuthEncoding(envelope);
    verifier = firstVerifying(verifiers, (key) => {
      const failures = envelope.signatures.map((signature) => {
        try {
          verifySignature(key, signed, signature, material.hash);
          return undefined;
        } catch (err) {
          return err;
        }
      });
      if (failures.every((failure) => failure !== undefined)) throw failures[0];
    });
    statement = parseStatement(envelope);
  }

  // The times the certificate is judged at: the Rekor integrated time and a trusted TSA's time (keys and certificates as keyless).
  const times: Date[] = [];
  const outcome: CosignSignatureOutcome = { layer: descriptor.digest, verified: false, signer: verifier.signer };
  if (early?.tlog) outcome.tlog = early.tlog;
  else if (material.tlog) {
    if (!layer.bundle) {
      throw new CosignError('TLOG_ENTRY_MISSING', 'signature has no transparency log entry (no Rekor bundle annotation); imgverify never looks entries up online: offline verification failed');
    }
    const leaf = verifier.chain[0];
    const keyDer = leaf ? new Uint8Array(leaf.raw) : spki(verifier.key);
    const tlog = verifyRekorBundle(parseRekorBundle(layer.bundle), { payload: bytes, ...(rawSignature ? { signature: rawSignature } : {}), keyDer }, material.tlog.keys);
    outcome.tlog = tlog;
    times.push(new Date(tlog.integratedTime * 1000));
  }
  if (!early && layer.rfc3161Timestamp && rawSignature && material.trust) {
    times.push(verifyRfc3161Timestamp(parseTimestampAnnotation(layer.rfc3161Timestamp), rawSignature, material.trust));
  }

  if (payload) checkSimpleSigningClaims(payload, image.digest, options.annotations);
  if (statement) {
    checkStatementSubject(statement, image.digest, options.annotations);
    outcome.predicateType = statement.predicateType;
  }

  if (verifier.chain.length > 0) {
    try {
      for (const at of times.length > 0 ? times : [options.now ?? new Date()]) checkExpiry(verifier.chain, at);
    } catch (err) {
      if (times.length === 0 && material.tlog === undefined) throw new CosignError('CERTIFICATE_EXPIRED', 'expected a signed timestamp to verify an expired certificate', { cause: err });
      throw err;
    }
  }
  outcome.verified = true;
  return { outcome, ...(payload ? { payload } : {}), ...(statement ? { statement } : {}) };
}

/**
 * The image's Sigstore bundle referrers (cosign's new bundle format), or the error listing them: a
 * registry without them (or failing to list them) still has its legacy tags tried.
 */
async function bundleReferrers(location: SignatureLocation, image: PinnedImage, options: CosignVerifyOptions, signal: AbortSignal): Promise<Descriptor[] | { error: unknown }> {
  try {
    return await listBundleReferrers(location, image, options.maxSignatures, signal);
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    return { error: err };
  }
}

interface Gathered {
  verified: boolean;
  image: string;
  signatureTag: string;
  signatures: CosignSignatureOutcome[];
  error?: ErrorInfo;
  results: LayerResult[];
}

async function gather(source: CosignSource, image: PinnedImage, options: CosignVerifyOptions, kind: SignatureKind, signal: AbortSignal): Promise<Gathered> {
  const name = `${image.registry}/${image.repository}@${image.digest}`;
  let location: SignatureLocation;
  let material: Material;
  let listed: { tag: string; layers: Descriptor[] };
  let bundled: LayerResult[] = [];
  try {
    material = await prepare(options);
    location = signatureLocation(source, image, options.repository);
    // cosign 2's order: the Sigstore bundles (as --new-bundle-format verifies them), else the legacy tag.
    const referrers = await bundleReferrers(location, image, options, signal);
    if (Array.isArray(referrers) && referrers.length > 0) {
      const trust = material.trust ?? (await loadTrust(options.trustedRoot));
      bundled = await verifyBundleReferrers(location, referrers, kind, image, options, trust, signal);
      if (bundled.some((result) => result.outcome.verified)) return decide(name, `${location.name}@${image.digest}`, kind, bundled);
    }
    if (options.formats === 'bundles') {
      // Only bundle referrers count: none (or none listed) is "no signatures found", never a legacy tag.
      if (!Array.isArray(referrers)) throw referrers.error;
      return decide(name, `${location.name}@${image.digest}`, kind, bundled);
    }
    listed = await listSignatureLayers(location, image.digest, kind, options.maxSignatures, signal);
    if (listed.layers.length === 0 && !Array.isArray(referrers)) throw referrers.error;
  } catch (err) {
    if (signal.aborted) throw abortReason(signal);
    return { verified: false, image: name, signatureTag: '', signatures: bundled.map((result) => result.outcome), error: toErrorInfo(err), results: [] };
  }
  const signatureTag = `${location.name}:${listed.tag}`;
  const results: LayerResult[] = [];
  for (const descriptor of listed.layers) {
    if (signal.aborted) throw abortReason(signal);
    try {
      results.push(await verifyLayer(location, descriptor, kind, image, material, options, signal));
    } catch (err) {
      if (signal.aborted) throw abortReason(signal);
      results.push({ outcome: { layer: descriptor.digest, verified: false, error: toErrorInfo(err) } });
    }
  }
  return decide(name, signatureTag, kind, [...bundled, ...results]);
}

/** cosign's verdict over every bundle and layer tried: one verified is enough; else the first failure's code, with every message. */
function decide(name: string, signatureTag: string, kind: SignatureKind, results: LayerResult[]): Gathered {
  if (results.length === 0) {
    const error: ErrorInfo =
      kind === 'signatures' ? { code: 'SIGNATURE_NOT_FOUND', message: 'no signatures found' } : { code: 'ATTESTATION_NOT_FOUND', message: 'no matching attestations: no attestations found' };
    return { verified: false, image: name, signatureTag, signatures: [], error, results: [] };
  }
  const signatures = results.map((result) => result.outcome);
  const verified = signatures.some((signature) => signature.verified);
  const gathered: Gathered = { verified, image: name, signatureTag, signatures, results };
  if (!verified) {
    const errors = signatures.flatMap((signature) => (signature.error ? [signature.error] : []));
    const first = errors[0] as ErrorInfo;
    const what = kind === 'signatures' ? 'no matching signatures' : 'no matching attestations';
    gathered.error = { code: first.code, message: `${what}: ${errors.map((error) => error.message).join('\n ')}` };
  }
  return gathered;
}

/** Verify the image's `.sig` signatures; a failed verification is an outcome, never a throw (but on abort). */
export async function verifyCosignSignatures(source: CosignSource, image: PinnedImage, options: CosignVerifyOptions, signal: AbortSignal): Promise<CosignSignaturesOutcome> {
  const { results, ...outcome } = await gather(source, image, options, 'signatures', signal);
  return { ...outcome, payloads: results.flatMap((result) => (result.outcome.verified && result.payload ? [result.payload] : [])) };
}

/**
 * Verify the image's `.att` attestations; the verified ones of `options.predicateType` (every type when
 * absent) are returned. Verified attestations of other types only: ATTESTATION_NOT_FOUND, as cosign's
 * `verify-attestation --type` says it. Same contract as verifyCosignSignatures.
 */
export async function verifyCosignAttestations(source: CosignSource, image: PinnedImage, options: CosignAttestationOptions, signal: AbortSignal): Promise<CosignAttestationsOutcome> {
  const { results, ...outcome } = await gather(source, image, options, 'attestations', signal);
  const verifiedStatements = results.flatMap((result) => (result.outcome.verified && result.statement ? [result.statement] : []));
  const wanted = options.predicateType;
  const statements = wanted === undefined ? verifiedStatements : verifiedStatements.filter((statement) => statement.predicateType === wanted);
  if (outcome.verified && statements.length === 0) {
    const found = [...new Set(verifiedStatements.map((statement) => statement.predicateType))].join(', ');
    return { ...outcome, verified: false, statements, error: { code: 'ATTESTATION_NOT_FOUND', message: `none of the attestations matched the predicate type: ${wanted ?? ''}, found: ${found}` } };
  }
  return { ...outcome, statements };
}
