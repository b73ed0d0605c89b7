// Keyless cosign signatures end to end: signed through the Fulcio/Rekor/TSA/OIDC doubles with sigstore-js, written as legacy layers to a real docker-registry, verified offline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_RFC3161_TIMESTAMP,
  ANNOTATION_SIGNATURE,
  signatureLocation,
  simpleSigningPayload,
  verifyCosignSignatures,
  type CosignVerifyOptions,
  type KeylessIdentity,
} from '../../src/cosign/index.js';
import { appendLayer } from '../../src/cosign/sign.js';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import type { PinnedImage } from '../../src/verification/index.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { signKeyless, startSigstoreDoubles, type SigstoreDoubles } from '../support/sigstore-doubles.js';

let registry: RegistryServer;
let client: RegistryClient;
let doubles: SigstoreDoubles;
let trustedRoot: string;
const signal = new AbortController().signal;
const EMAIL = 'signer@example.com';

beforeAll(async () => {
  [registry, doubles] = await Promise.all([startRegistry(), startSigstoreDoubles()]);
  client = new RegistryClient({ plainHttpForLocalhost: true });
  trustedRoot = JSON.stringify(doubles.trustedRoot);
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await doubles?.stop();
});

let count = 0;
/** An image signed keyless (at `at`, with or without the tlog and the TSA), its layer written as cosign writes it. */
async function signedImage(options: { at?: Date; tlog?: boolean; tsa?: boolean } = {}): Promise<PinnedImage> {
  const repository = `keyless/image-${++count}`;
  const store = client.repository(registry.host, repository);
  const pushed = await pushImage(store, { layers: [new TextEncoder().encode(`keyless ${count}`)] });
  const pinned: PinnedImage = { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false };
  const target = { repository: `${registry.host}/${repository}`, digest: pinned.digest };
  const payload = simpleSigningPayload(target, undefined);
  doubles.setClock(options.at);
  try {
    const { legacy } = await signKeyless(doubles, { artifact: payload, identity: { email: EMAIL }, tlog: options.tlog ?? true, tsa: options.tsa ?? false });
    await appendLayer(signatureLocation(client, pinned, undefined), target, 'signatures', payload, {
      [ANNOTATION_SIGNATURE]: legacy.signature,
      [ANNOTATION_CERTIFICATE]: legacy.certificatePem,
      [ANNOTATION_CHAIN]: legacy.chainPem,
      ...(legacy.rekorBundle ? { [ANNOTATION_BUNDLE]: JSON.stringify(legacy.rekorBundle) } : {}),
      ...(legacy.rfc3161Timestamp ? { [ANNOTATION_RFC3161_TIMESTAMP]: legacy.rfc3161Timestamp } : {}),
    });
  } finally {
    doubles.setClock(undefined);
  }
  return pinned;
}

const keyless = (identity: KeylessIdentity, extra: Partial<CosignVerifyOptions> = {}): CosignVerifyOptions => ({ keyless: identity, trustedRoot, ...extra });

describe('keyless', () => {
  let fresh: PinnedImage;
  let hourOld: PinnedImage;
  beforeAll(async () => {
    fresh = await signedImage();
    hourOld = await signedImage({ at: new Date(Date.now() - 3_600_000) });
  });

  it.each([
    { name: 'subject and issuer', identity: () => ({ subject: EMAIL, issuer: doubles.urls.oidc }) },
    { name: 'subject wildcard and issuer regexp', identity: () => ({ subject: '*@example.com', issuerRegExp: '^http://127\\.0\\.0\\.1:[0-9]+/oidc$' }) },
  ])('verifies with the trusted root: $name', async ({ identity }) => {
    const outcome = await verifyCosignSignatures(client, fresh, keyless(identity()), signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.signatures[0]).toMatchObject({ verified: true, signer: { kind: 'certificate', subject: EMAIL, issuer: doubles.urls.oidc }, tlog: { integratedTime: expect.any(Number) } });
  });

  it.each([
    { name: 'another subject', identity: () => ({ subject: 'someone@example.com', issuer: doubles.urls.oidc }), code: 'UNTRUSTED_IDENTITY' },
    { name: 'another issuer', identity: () => ({ subject: EMAIL, issuer: 'https://accounts.example' }), code: 'UNTRUSTED_IDENTITY' },
    { name: 'a subject regexp that does not match (not ignored)', identity: () => ({ subjectRegExp: '^admin@', issuer: doubles.urls.oidc }), code: 'UNTRUSTED_IDENTITY' },
  ])('$name → $code', async ({ identity, code }) => {
    const outcome = await verifyCosignSignatures(client, fresh, keyless(identity()), signal);
    expect(outcome.verified).toBe(false);
    expect(outcome.error?.code).toBe(code);
  });

  it('an hour-old signature: its Fulcio certificate is judged at the Rekor integrated time; with the tlog ignored and no TSA it has expired', async () => {
    const identity = { subject: EMAIL, issuer: doubles.urls.oidc };
    expect((await verifyCosignSignatures(client, hourOld, keyless(identity), signal)).error).toBeUndefined();
    const ignored = await verifyCosignSignatures(client, hourOld, keyless(identity, { rekor: { ignoreTlog: true } }), signal);
    expect(ignored.error?.code).toBe('CERTIFICATE_EXPIRED');
  });

  it('with the tlog ignored, an RFC 3161 timestamp of a trusted TSA dates the signature', async () => {
    const old = await signedImage({ at: new Date(Date.now() - 3_600_000), tlog: false, tsa: true });
    const outcome = await verifyCosignSignatures(client, old, keyless({ subject: EMAIL, issuer: doubles.urls.oidc }, { rekor: { ignoreTlog: true } }), signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.verified).toBe(true);
  });

  it('the embedded public-good root does not trust the doubles: the bundle names an unknown log', async () => {
    const outcome = await verifyCosignSignatures(client, fresh, { keyless: { subject: EMAIL, issuer: doubles.urls.oidc } }, signal);
    expect(outcome.error?.code).toBe('TLOG_KEY_UNKNOWN');
  });
});
