// The Rekor bundle annotation of legacy signatures: its SignedEntryTimestamp, and the entry body held to this signature.
import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { json } from '@sigstore/core';
import { bytesEqual } from '../common/index.js';
import { hexDigest } from '../common/hash.js';
import { readPem } from '../pki/index.js';
import { MAX_ANNOTATION_BYTES } from './constants.js';
import { CosignError } from './errors.js';
import { decodeBase64 } from './keys.js';
import type { TlogEntryInfo } from './outcome.js';

const MAX_LOG_KEYS = 100;

const bundleSchema = z.object({
  SignedEntryTimestamp: z.string(),
  Payload: z.object({
    body: z.string(),
    integratedTime: z.number().int(),
    logIndex: z.number().int(),
    logID: z.string(),
  }),
});

/** The `dev.sigstore.cosign/bundle` annotation (cosign's RekorBundle). */
export type RekorBundle = z.infer<typeof bundleSchema>;

/** Transparency log keys by logID (hex SHA-256 of the key's DER SubjectPublicKeyInfo, as Rekor names its logs). */
export type LogKeys = ReadonlyMap<string, KeyObject>;

export function parseRekorBundle(text: string): RekorBundle {
  if (text.length > MAX_ANNOTATION_BYTES) throw new CosignError('MALFORMED_SIGNATURE', `the Rekor bundle annotation is larger than ${MAX_ANNOTATION_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CosignError('MALFORMED_SIGNATURE', 'the Rekor bundle annotation is not JSON', { cause: err });
  }
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) throw new CosignError('MALFORMED_SIGNATURE', 'the Rekor bundle annotation is not cosign\'s {"SignedEntryTimestamp", "Payload": {body, integratedTime, logIndex, logID}}');
  return parsed.data;
}

/** The logID of a log key: hex SHA-256 of its DER SubjectPublicKeyInfo. */
export function logIdOf(key: KeyObject): string {
  return hexDigest('sha256', key.export({ format: 'der', type: 'spki' }));
}

/** Rekor public keys from PEM (`--rekor-public-key`, Kyverno `rekor.pubKey`), by logID; ECDSA only, as cosign requires. */
export function parseLogKeys(text: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const block of readPem(text, MAX_LOG_KEYS).blocks) {
    if (block.label !== 'PUBLIC KEY' || !block.der) continue;
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(block.der), format: 'der', type: 'spki' });
    } catch (err) {
      throw new CosignError('INVALID_INPUT', 'the Rekor public key is not a SubjectPublicKeyInfo', { cause: err });
    }
    if (key.asymmetricKeyType !== 'ec') throw new CosignError('INVALID_INPUT', `rekor Public key for LogID ${logIdOf(key)} is not type ecdsa.PublicKey`);
    keys.set(logIdOf(key), key);
  }
  if (keys.size === 0) throw new CosignError('INVALID_INPUT', 'no PEM public key found in the Rekor public key');
  return keys;
}

const b64 = z.string();
/** The parts of the entry kinds cosign reads (hashedrekord and rekord 0.0.1, intoto 0.0.1/0.0.2, dsse 0.0.1). */
const entrySchema = z.object({ kind: z.string(), apiVersion: z.string(), spec: z.record(z.string(), z.unknown()) });
const hashSchema = z.object({ algorithm: z.string(), value: z.string() });
const signedDataSchema = z.object({ signature: z.object({ content: b64, publicKey: z.object({ content: b64 }) }), data: z.object({ hash: hashSchema }) });
const intotoV1Schema = z.object({ publicKey: b64, content: z.object({ hash: hashSchema }) });
const intotoV2Schema = z.object({ content: z.object({ hash: hashSchema, envelope: z.object({ signatures: z.array(z.object({ publicKey: b64 })).min(1) }) }) });
const dsseSchema = z.object({ signatures: z.array(z.object({ signature: b64, verifier: b64 })).min(1), envelopeHash: hashSchema });

interface EntryFacts {
  /** The signature the entry records (hashedrekord, rekord), compared for `.sig` layers. */
  signature?: string;
  /** Base64 of the PEM key or certificate. */
  publicKey: string;
  hash: { algorithm: string; value: string };
}

function entryFacts(body: string): EntryFacts {
  let entry: z.infer<typeof entrySchema>;
  try {
    entry = entrySchema.parse(JSON.parse(new TextDecoder().decode(decodeBase64(body, 'the Rekor entry body'))));
  } catch (err) {
    throw new CosignError('TLOG_ENTRY_MISMATCH', 'error verifying bundle: the Rekor entry body is not an entry', { cause: err });
  }
  const kind = `${entry.kind} ${entry.apiVersion}`;
  const parse = <T>(schema: z.ZodType<T>): T => {
    const parsed = schema.safeParse(entry.spec);
    if (!parsed.success) throw new CosignError('TLOG_ENTRY_MISMATCH', `error verifying bundle: the ${kind} entry lacks the fields cosign reads`);
    return parsed.data;
  };
  switch (kind) {
    case 'hashedrekord 0.0.1':
    case 'rekord 0.0.1': {
      const spec = parse(signedDataSchema);
      return { signature: spec.signature.content, publicKey: spec.signature.publicKey.content, hash: spec.data.hash };
    }
    case 'intoto 0.0.1': {
      const spec = parse(intotoV1Schema);
      return { publicKey: spec.publicKey, hash: spec.content.hash };
    }
    case 'intoto 0.0.2': {
      const spec = parse(intotoV2Schema);
      if (spec.content.envelope.signatures.length > 1) throw new CosignError('TLOG_ENTRY_MISMATCH', 'error verifying bundle: multiple signatures on DSSE envelopes are not currently supported');
      return { publicKey: (spec.content.envelope.signatures[0] as { publicKey: string }).publicKey, hash: spec.content.hash };
    }
    case 'dsse 0.0.1': {
      const spec = parse(dsseSchema);
      if (spec.signatures.length > 1) throw new CosignError('TLOG_ENTRY_MISMATCH', 'error verifying bundle: multiple signatures on DSSE envelopes are not currently supported');
      return { publicKey: (spec.signatures[0] as { verifier: string }).verifier, hash: spec.envelopeHash };
    }
    default:
      throw new CosignError('TLOG_ENTRY_MISMATCH', `error verifying bundle: computing bundle hash: unsupported type ${kind}`);
  }
}

/** What the entry must be about: this layer's bytes, its signature (`.sig`), and the key or certificate that verified it. */
export interface EntrySubject {
  /** The layer: the simple-signing payload or the DSSE envelope. */
  payload: Uint8Array;
  /** The raw signature of a `.sig` layer; absent for attestations (cosign compares none). */
  signature?: Uint8Array;
  /** DER of the signature's certificate when it has one, else of the public key (SubjectPublicKeyInfo). */
  keyDer: Uint8Array;
}

/**
 * cosign's VerifyBundle, offline: the entry body records this signature, this key or certificate and
 * this payload's SHA-256 (so a genuine bundle copied from another signature fails), then the SET
 * verifies with the key of the log the bundle names.
 */
export function verifyRekorBundle(bundle: RekorBundle, subject: EntrySubject, logKeys: LogKeys): TlogEntryInfo {
  const facts = entryFacts(bundle.Payload.body);
  if (subject.signature && facts.signature !== undefined && !bytesEqual(decodeBase64(facts.signature, 'the Rekor entry signature'), subject.signature)) {
    throw new CosignError('TLOG_ENTRY_MISMATCH', 'error verifying bundle: signature in bundle does not match signature being verified');
  }
  const pem = readPem(new TextDecoder().decode(decodeBase64(facts.publicKey, 'the Rekor entry public key'))).blocks[0];
  if (!pem?.der || !bytesEqual(pem.der, subject.keyDer)) {
    throw new CosignError('TLOG_ENTRY_MISMATCH', 'error verifying bundle: comparing public key PEMs: the entry names another key or certificate');
  }
  const payloadHash = hexDigest('sha256', subject.payload);
  if (facts.hash.algorithm !== 'sha256') throw new CosignError('TLOG_ENTRY_MISMATCH', `error verifying bundle: unexpected algorithm: "${facts.hash.algorithm}"`);
  if (facts.hash.value !== payloadHash) {
    throw new CosignError('TLOG_ENTRY_MISMATCH', `error verifying bundle: matching bundle to payload: bundle="${facts.hash.value}", payload="${payloadHash}"`);
  }
  const key = logKeys.get(bundle.Payload.logID);
  if (!key) throw new CosignError('TLOG_KEY_UNKNOWN', 'error verifying bundle: verifying bundle: rekor log public key not found for payload');
  const { body, integratedTime, logIndex, logID } = bundle.Payload;
  const canonical = json.canonicalize({ body, integratedTime, logIndex, logID });
  let set: Uint8Array;
  try {
    set = decodeBase64(bundle.SignedEntryTimestamp, 'SignedEntryTimestamp');
  } catch (err) {
    throw new CosignError('TLOG_SET_INVALID', 'error verifying bundle: the SignedEntryTimestamp is not base64', { cause: err });
  }
  let valid = false;
  try {
    valid = cryptoVerify('sha256', Buffer.from(canonical, 'utf8'), { key, dsaEncoding: 'der' }, set);
  } catch {
    valid = false;
  }
  if (!valid) throw new CosignError('TLOG_SET_INVALID', 'error verifying bundle: unable to verify SET');
  return { logID, logIndex, integratedTime };
}
