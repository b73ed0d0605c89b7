// Keyless (Fulcio) signatures of legacy layers through the Sigstore domain: the trusted root, the certificate at the signing times.
import type { KeyObject } from 'node:crypto';
import * as z from 'zod';
import { readPem } from '../pki/index.js';
import { loadTrustedRoot, trustFromJson, verifyKeylessCertificate, type SigstoreTrust } from '../sigstore/index.js';
import { MAX_ANNOTATION_BYTES } from './constants.js';
import { CosignError } from './errors.js';
import { decodeBase64 } from './keys.js';
import type { SignatureLayer } from './layers.js';
import type { CtlogOptions, KeylessIdentity } from './options.js';
import type { SignerInfo } from './outcome.js';

export interface KeylessMaterial {
  identity: KeylessIdentity;
  ctlog?: CtlogOptions;
}

let embedded: Promise<SigstoreTrust> | undefined;

/** The given trusted_root.json, else the embedded public-good root (read once per process; never the network). */
export function loadTrust(trustedRoot: string | undefined): Promise<SigstoreTrust> {
  if (trustedRoot !== undefined) return Promise.resolve(trustFromJson(trustedRoot, 'the given trusted root'));
  embedded ??= loadTrustedRoot({ kind: 'embedded' });
  return embedded;
}

const timestampSchema = z.object({ SignedRFC3161Timestamp: z.string() });

/** The `dev.sigstore.cosign/rfc3161timestamp` annotation: `{"SignedRFC3161Timestamp": base64 DER}`. */
export function parseTimestampAnnotation(text: string): Uint8Array {
  if (text.length > MAX_ANNOTATION_BYTES) throw new CosignError('MALFORMED_SIGNATURE', `the RFC 3161 timestamp annotation is larger than ${MAX_ANNOTATION_BYTES} bytes`);
  let parsed;
  try {
    parsed = timestampSchema.parse(JSON.parse(text));
  } catch (err) {
    throw new CosignError('MALFORMED_SIGNATURE', 'the RFC 3161 timestamp annotation is not {"SignedRFC3161Timestamp": base64}', { cause: err });
  }
  return decodeBase64(parsed.SignedRFC3161Timestamp, 'the RFC 3161 timestamp');
}

function derBlocks(text: string, what: string): Uint8Array[] {
  const blocks = readPem(text, 16).blocks.filter((block) => block.label === 'CERTIFICATE');
  if (blocks.length === 0 || blocks.some((block) => !block.der)) throw new CosignError('MALFORMED_SIGNATURE', `${what}: no certificate found in PEM`);
  return blocks.map((block) => block.der as Uint8Array);
}

/**
 * The key of a keyless layer: its certificate chained (with the `chain` annotation's certificates) to the
 * trusted root's Fulcio CAs (or `roots`), allowed to sign code, with valid SCTs unless ignored, and the
 * identity asked for — at every time given (the Rekor integrated time, the TSA's time), else at `now`
 * (so with the tlog ignored and no TSA an expired Fulcio certificate fails, as in cosign).
 */
export function keylessVerifier(layer: SignatureLayer, keyless: KeylessMaterial, times: readonly Date[], trust: SigstoreTrust | undefined, now: Date): { key: KeyObject; signer: SignerInfo } {
  if (!layer.certificate) throw new CosignError('INVALID_SIGNATURE', 'no certificate found on signature');
  const [certificate] = derBlocks(layer.certificate, 'the signature certificate');
  const chain = layer.chain ? derBlocks(layer.chain, 'the signature chain') : [];
  const { roots, ...identity } = keyless.identity;
  let verified;
  for (const signedAt of times.length > 0 ? times : [now]) {
    verified = verifyKeylessCertificate({
      certificate: certificate as Uint8Array,
      chain,
      signedAt,
      ...(trust ? { trust } : {}),
      identity,
      ...(keyless.ctlog?.ignoreSCT ? { ignoreSCT: true } : {}),
      ...(keyless.ctlog?.pubKey ? { ctlogPublicKeys: [keyless.ctlog.pubKey] } : {}),
      ...(roots ? { roots } : {}),
    });
  }
  if (!verified) throw new CosignError('INVALID_SIGNATURE', 'no certificate found on signature');
  return {
    key: verified.publicKey,
    signer: { kind: 'certificate', subject: verified.subject, sans: verified.subjectAlternativeNames.map((san) => `${san.kind}:${san.value}`), ...(verified.issuer ? { issuer: verified.issuer } : {}) },
  };
}
