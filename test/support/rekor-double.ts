// A double of a Rekor transparency log, offline: it makes the entry bodies and SignedEntryTimestamps a real log returns.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { json } from '@sigstore/core';
import type { BundleMaker } from '../../src/cosign/sign.js';
import { toPem } from '../../src/pki/index.js';

export interface RekorEntryInput {
  kind: 'signatures' | 'attestations';
  payload: Uint8Array;
  signature: Uint8Array;
  publicKeyPem: string;
}

/** The base64 entry body Rekor stores: hashedrekord 0.0.1 for `.sig` layers, dsse 0.0.1 for `.att` envelopes. */
export function entryBody(entry: RekorEntryInput): string {
  const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
  const key = Buffer.from(entry.publicKeyPem).toString('base64');
  const body =
    entry.kind === 'signatures'
      ? {
          apiVersion: '0.0.1',
          kind: 'hashedrekord',
          spec: { data: { hash: { algorithm: 'sha256', value: sha256(entry.payload) } }, signature: { content: Buffer.from(entry.signature).toString('base64'), publicKey: { content: key } } },
        }
      : {
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: {
            envelopeHash: { algorithm: 'sha256', value: sha256(entry.payload) },
            signatures: [{ signature: Buffer.from(entry.signature).toString('base64'), verifier: key }],
          },
        };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}

/** One log: its ECDSA P-256 key, logID, and a counter of entries. */
export class RekorLogDouble {
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  readonly logID: string;
  /** The integratedTime of the next entries (seconds); tests move it to judge certificates at a time. */
  integratedTime = Math.floor(Date.now() / 1000);
  private logIndex = 0;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    const der = publicKey.export({ format: 'der', type: 'spki' });
    this.publicKeyPem = toPem('PUBLIC KEY', new Uint8Array(der));
    this.logID = createHash('sha256').update(der).digest('hex');
  }

  /** The `dev.sigstore.cosign/bundle` annotation of an entry with this body. */
  bundleOf(body: string, overrides: { signWith?: KeyObject } = {}): string {
    const payload = { body, integratedTime: this.integratedTime, logIndex: this.logIndex++, logID: this.logID };
    const set = sign('sha256', Buffer.from(json.canonicalize(payload)), { key: overrides.signWith ?? this.privateKey, dsaEncoding: 'der' });
    return JSON.stringify({ SignedEntryTimestamp: set.toString('base64'), Payload: payload });
  }

  /** A BundleMaker for signImage / attestImage. */
  readonly bundle: BundleMaker = (entry) => this.bundleOf(entryBody(entry));
}
