// Sigstore bundles end to end: keyless signing through the doubles with @sigstore/sign, then verifyBundle; each broken rule its own code.
import { createHash, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify } from 'node:crypto';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { json } from '@sigstore/core';
import { MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseBundle, trustFromJson, verifyBundle, type BundleArtifact, type BundlePolicy, type SigstoreTrust } from '../../src/sigstore/index.js';
import { signKeyless, startSigstoreDoubles, type KeylessSignature, type SigstoreDoubles } from '../support/sigstore-doubles.js';

const ARTIFACT = Buffer.from('the artifact\n');
const DIGEST = `sha256:${createHash('sha256').update(ARTIFACT).digest('hex')}`;
const STATEMENT = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'artifact', digest: { sha256: DIGEST.slice(7) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  }),
);

let doubles: SigstoreDoubles;
let trust: SigstoreTrust;
let identity: BundlePolicy['identity'];
const bundles = new Map<string, SerializedBundle>();
let keyPem = '';

beforeAll(async () => {
  doubles = await startSigstoreDoubles();
  trust = trustFromJson(JSON.stringify(doubles.trustedRoot), 'the doubles root');
  identity = { subject: 'signer@example.com', issuer: doubles.urls.oidc };
  const put = (name: string, signature: KeylessSignature) => bundles.set(name, signature.bundle);
  put('message', await signKeyless(doubles, { artifact: ARTIFACT, tsa: true }));
  put('other', await signKeyless(doubles, { artifact: Buffer.from('another artifact') }));
  put('dsse', await signKeyless(doubles, { artifact: STATEMENT, payloadType: 'application/vnd.in-toto+json' }));
  put('intoto', await signKeyless(doubles, { artifact: STATEMENT, payloadType: 'application/vnd.in-toto+json', rekorEntryType: 'intoto' }));
  doubles.fulcio.sct = 'untrusted';
  put('untrusted-sct', await signKeyless(doubles, { artifact: ARTIFACT }));
  doubles.fulcio.sct = 'trusted';
  // An hour ago: the certificate has expired; only the TSA's time (or the log's) can vouch for it.
  doubles.setClock(new Date(Date.now() - 3_600_000));
  put('old-no-witness', await signKeyless(doubles, { artifact: ARTIFACT, tlog: false }));
  put('old-tsa', await signKeyless(doubles, { artifact: ARTIFACT, tlog: false, tsa: true }));
  doubles.setClock(undefined);
  // A public-key bundle, as `cosign sign-blob --key --bundle` writes one.
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  keyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signer = { sign: (data: Buffer) => Promise.resolve({ signature: cryptoSign('sha256', data, keys.privateKey), key: { $case: 'publicKey' as const, publicKey: keyPem } }) };
  const keyed = await new MessageSignatureBundleBuilder({ signer, witnesses: [new RekorWitness({ rekorBaseURL: doubles.urls.rekor, retry: false })] }).create({ data: ARTIFACT });
  bundles.set('key', bundleToJSON(keyed));
}, 30_000);

afterAll(() => doubles.stop());

type Mutate = (bundle: SerializedBundle) => void;
interface Case {
  name: string;
  bundle: string;
  artifact?: BundleArtifact;
  policy?: () => BundlePolicy;
  mutate?: Mutate;
  code?: string;
  message?: RegExp;
  /** The sources of the trusted times a verified bundle gives. */
  timestamps?: string[];
}

const entry = (bundle: SerializedBundle) => {
  const first = bundle.verificationMaterial.tlogEntries?.[0];
  if (!first) throw new Error('no log entry');
  return first;
};

const cases: Case[] = [
  { name: 'message signature, keyless, log entry and TSA', bundle: 'message', timestamps: ['tlog', 'tsa'] },
  { name: 'message signature over the digest only', bundle: 'message', artifact: { digest: DIGEST }, timestamps: ['tlog', 'tsa'] },
  { name: 'DSSE in-toto statement naming the artifact (dsse entry)', bundle: 'dsse', timestamps: ['tlog'] },
  { name: 'DSSE in intoto entry, digest mode', bundle: 'intoto', artifact: { digest: DIGEST }, timestamps: ['tlog'] },
  { name: 'public key bundle with the key', bundle: 'key', policy: () => ({ publicKey: keyPem }), timestamps: ['tlog'] },
  { name: 'wrong identity', bundle: 'message', policy: () => ({ identity: { subject: 'mallory@example.com', issuer: doubles.urls.oidc } }), code: 'UNTRUSTED_IDENTITY' },
  { name: 'wrong issuer', bundle: 'message', policy: () => ({ identity: { subject: 'signer@example.com', issuer: 'https://accounts.google.com' } }), code: 'UNTRUSTED_IDENTITY' },
  { name: 'issuerRegExp honoured', bundle: 'dsse', policy: () => ({ identity: { subjectRegExp: '.*', issuerRegExp: '^https://' } }), code: 'UNTRUSTED_IDENTITY' },
  { name: 'another artifact', bundle: 'message', artifact: Buffer.from('tampered'), code: 'TARGET_ARTIFACT_MISMATCH' },
  { name: 'another digest', bundle: 'message', artifact: { digest: `sha256:${'0'.repeat(64)}` }, code: 'TARGET_ARTIFACT_MISMATCH' },
  { name: 'DSSE statement not naming the artifact', bundle: 'dsse', artifact: Buffer.from('tampered'), code: 'TARGET_ARTIFACT_MISMATCH', message: /is not a subject of the in-toto statement/ },
  {
    name: 'tampered signature (digest kept)',
    bundle: 'message',
    mutate: (bundle) => {
      const signature = bundle.messageSignature;
      if (signature) signature.signature = bundles.get('other')?.messageSignature?.signature ?? '';
    },
    policy: () => ({ identity, ignoreTlog: true }),
    code: 'INVALID_TIMESTAMP',
  },
  {
    name: 'tampered signature, log and TSA ignored',
    bundle: 'message',
    mutate: (bundle) => {
      const signature = bundle.messageSignature;
      if (signature) signature.signature = bundles.get('other')?.messageSignature?.signature ?? '';
      delete bundle.verificationMaterial.timestampVerificationData;
    },
    policy: () => ({ identity, ignoreTlog: true }),
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'tampered DSSE payload',
    bundle: 'dsse',
    mutate: (bundle) => {
      const envelope = bundle.dsseEnvelope;
      if (envelope) envelope.payload = Buffer.from(STATEMENT.toString().replace('provenance', 'provenanc3')).toString('base64');
    },
    policy: () => ({ identity, ignoreTlog: true }),
    code: 'INVALID_SIGNATURE',
  },
  { name: 'bad SET', bundle: 'message', mutate: (bundle) => void (entry(bundle).integratedTime = String(Number(entry(bundle).integratedTime) + 1)), code: 'TLOG_SET_INVALID' },
  {
    name: 'bad inclusion proof',
    bundle: 'dsse',
    mutate: (bundle) => {
      const checkpoint = entry(bundle).inclusionProof?.checkpoint;
      if (checkpoint) checkpoint.envelope = checkpoint.envelope.replace(/\n1\n[^\n]+\n/, `\n1\n${Buffer.alloc(32).toString('base64')}\n`);
    },
    code: 'TLOG_INCLUSION_PROOF_INVALID',
  },
  { name: 'no log entry', bundle: 'message', mutate: (bundle) => void (bundle.verificationMaterial.tlogEntries = []), code: 'TLOG_ENTRY_MISSING' },
  {
    name: 'the log entry of another signature (its SET genuine)',
    bundle: 'message',
    mutate: (bundle) => void (bundle.verificationMaterial.tlogEntries = bundles.get('other')?.verificationMaterial.tlogEntries ?? []),
    code: 'TLOG_ENTRY_MISMATCH',
  },
  { name: 'a log the root does not trust', bundle: 'message', mutate: (bundle) => void (entry(bundle).logId.keyId = Buffer.alloc(32, 1).toString('base64')), code: 'TLOG_KEY_UNKNOWN' },
  { name: 'bad SCT', bundle: 'untrusted-sct', code: 'SCT_INVALID' },
  { name: 'bad SCT ignored', bundle: 'untrusted-sct', policy: () => ({ identity, ignoreSCT: true }), timestamps: ['tlog'] },
  { name: 'expired certificate, no log entry, no TSA', bundle: 'old-no-witness', policy: () => ({ identity, ignoreTlog: true }), code: 'CERTIFICATE_EXPIRED' },
  { name: 'expired certificate vouched for by the TSA', bundle: 'old-tsa', policy: () => ({ identity, ignoreTlog: true }), timestamps: ['tsa'] },
  { name: 'log required but the bundle has none', bundle: 'old-tsa', code: 'TLOG_ENTRY_MISSING' },
  { name: 'public key bundle with another key', bundle: 'key', policy: () => ({ publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString() }), code: 'INVALID_SIGNATURE' },
  { name: 'public key bundle for a keyless policy', bundle: 'key', code: 'UNTRUSTED_IDENTITY' },
  { name: 'not a bundle', bundle: 'message', mutate: (bundle) => void (bundle.mediaType = 'application/json'), code: 'BUNDLE_INVALID' },
];

describe('verifyBundle', () => {
  test.each(cases)('$name', ({ bundle: name, artifact, policy, mutate, code, message, timestamps }) => {
    const serialized = structuredClone(bundles.get(name));
    if (!serialized) throw new Error(`no bundle ${name}`);
    mutate?.(serialized);
    const run = () => verifyBundle(parseBundle(JSON.stringify(serialized)), artifact ?? ARTIFACT, policy?.() ?? { identity }, trust);
    if (code === undefined) {
      expect(run().timestamps.map((timestamp) => timestamp.source)).toEqual(timestamps);
      return;
    }
    expect(run).toThrow(expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) as unknown } : {}) }));
  });

  test('not JSON, too large', () => {
    expect(() => parseBundle('{')).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID', message: expect.stringContaining('not JSON') as unknown }));
    expect(() => parseBundle(new Uint8Array(16 * 1024 * 1024 + 1))).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID', message: expect.stringContaining('more than the limit') as unknown }));
  });
});

test('signKeyless also returns what cosign writes in a .sig layer: the SET verifies with the Rekor key, the signature with the leaf', async () => {
  const payload = Buffer.from('{"critical":{"identity":{"docker-reference":"registry/app"},"image":{"docker-manifest-digest":"sha256:00"},"type":"cosign container image signature"},"optional":null}');
  const { legacy } = await signKeyless(doubles, { artifact: payload });
  const rekorBundle = legacy.rekorBundle;
  if (!rekorBundle) throw new Error('no rekor bundle');
  const rekorKey = createPublicKey(doubles.rekorPublicKeyPem);
  expect(verify('sha256', Buffer.from(json.canonicalize(rekorBundle.Payload)), rekorKey, Buffer.from(rekorBundle.SignedEntryTimestamp, 'base64'))).toBe(true);
  expect(rekorBundle.Payload.logID).toBe([...trust.tlogs.keys()][0]);
  expect(verify('sha256', payload, createPublicKey(legacy.certificatePem), Buffer.from(legacy.signature, 'base64'))).toBe(true);
  expect(legacy.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
});
