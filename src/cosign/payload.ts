// The simple-signing payload of `.sig` layers: parsed at the boundary, then cosign's SimpleClaimVerifier rules.
import * as z from 'zod';
import { checkJsonDepth } from '../oci/index.js';
import { CosignError } from './errors.js';
import type { SimpleSigningPayload } from './outcome.js';

const simpleSigningSchema = z.object({
  critical: z.object({
    identity: z.object({ 'docker-reference': z.string() }),
    image: z.object({ 'docker-manifest-digest': z.string() }),
    type: z.string(),
  }),
  optional: z.record(z.string(), z.unknown()).nullable().optional(),
});

/** The payload as JSON; cosign's json.Unmarshal errors are MALFORMED_SIGNATURE here. */
export function parseSimpleSigning(bytes: Uint8Array): SimpleSigningPayload {
  checkJsonDepth(bytes, 'simple-signing payload');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new CosignError('MALFORMED_SIGNATURE', 'the simple-signing payload is not JSON', { cause: err });
  }
  const parsed = simpleSigningSchema.safeParse(value);
  if (!parsed.success) throw new CosignError('MALFORMED_SIGNATURE', `the simple-signing payload is not cosign's: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim());
  return parsed.data as SimpleSigningPayload;
}

/** cosign's correctAnnotations: each wanted annotation present with the same string value. */
export function correctAnnotations(wanted: Record<string, string> | undefined, have: Record<string, unknown> | null | undefined): boolean {
  if (!wanted) return true;
  return Object.entries(wanted).every(([key, value]) => have != null && Object.hasOwn(have, key) && have[key] === value);
}

/**
 * cosign's SimpleClaimVerifier: the payload's docker-manifest-digest is the resolved digest (the
 * docker-reference is not compared: a signature follows its image to another repository), and the
 * required annotations are in `optional`.
 */
export function checkSimpleSigningClaims(payload: SimpleSigningPayload, digest: string, annotations: Record<string, string> | undefined): void {
  const found = payload.critical.image['docker-manifest-digest'];
  if (found !== digest) throw new CosignError('TARGET_ARTIFACT_MISMATCH', `invalid or missing digest in claim: ${found}`);
  if (!correctAnnotations(annotations, payload.optional)) throw new CosignError('USER_METADATA_MISMATCH', 'missing or incorrect annotation');
}
