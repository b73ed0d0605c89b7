// DSSE envelopes of `.att` layers and the in-toto statements inside: PAE, the envelope's one signature, the subject rule.
import * as z from 'zod';
import { dsse } from '@sigstore/core';
import { checkJsonDepth } from '../oci/index.js';
import { PAYLOAD_TYPE_IN_TOTO } from './constants.js';
import { CosignError } from './errors.js';
import { decodeBase64 } from './keys.js';
import type { InTotoStatement } from './outcome.js';
import { correctAnnotations } from './payload.js';

const envelopeSchema = z.object({
  payloadType: z.string(),
  payload: z.string(),
  signatures: z.array(z.object({ keyid: z.string().optional(), sig: z.string() })),
});

const statementSchema = z
  .object({
    _type: z.string(),
    predicateType: z.string(),
    subject: z.array(z.object({ name: z.string().optional(), digest: z.record(z.string(), z.string()), annotations: z.record(z.string(), z.unknown()).optional() }).nullable()),
    predicate: z.unknown().optional(),
  })
  .passthrough();

export interface Envelope {
  payloadType: string;
  /** The decoded payload: what PAE covers. */
  payload: Uint8Array;
  /** The decoded signatures. */
  signatures: Uint8Array[];
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  checkJsonDepth(bytes, what);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new CosignError('MALFORMED_SIGNATURE', `${what} is not JSON`, { cause: err });
  }
}

/** The DSSE envelope of a `.att` layer. */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  const parsed = envelopeSchema.safeParse(parseJson(bytes, 'the DSSE envelope'));
  if (!parsed.success) throw new CosignError('MALFORMED_SIGNATURE', 'the layer is not a DSSE envelope (payloadType, payload, signatures)');
  const { payloadType, payload, signatures } = parsed.data;
  if (signatures.length === 0) throw new CosignError('MALFORMED_SIGNATURE', 'the DSSE envelope has no signature');
  return {
    payloadType,
    payload: decodeBase64(payload, 'DSSE payload'),
    signatures: signatures.map((signature) => decodeBase64(signature.sig, 'DSSE signature')),
  };
}

/**
 * The bytes a DSSE signature covers: `DSSEv1 <len> <type> <len> <body>`, with the envelope's
 * payloadType verbatim (old cosign wrote the predicate type there; its signatures cover that).
 */
export function preAuthEncoding(envelope: Envelope): Uint8Array {
  return new Uint8Array(dsse.preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload)));
}

/** The in-toto statement of an envelope. */
export function parseStatement(envelope: Envelope): InTotoStatement {
  const parsed = statementSchema.safeParse(parseJson(envelope.payload, 'the in-toto statement'));
  if (!parsed.success) {
    const kind = envelope.payloadType === PAYLOAD_TYPE_IN_TOTO ? 'is not' : `(payloadType ${envelope.payloadType}) is not`;
    throw new CosignError('MALFORMED_SIGNATURE', `the DSSE payload ${kind} an in-toto statement (_type, predicateType, subject)`);
  }
  return parsed.data as InTotoStatement;
}

/** cosign's IntotoSubjectClaimVerifier: a subject whose sha256 is the image digest, with the required annotations. */
export function checkStatementSubject(statement: InTotoStatement, digest: string, annotations: Record<string, string> | undefined): void {
  for (const subject of statement.subject as Array<(InTotoStatement['subject'][number] & { annotations?: Record<string, unknown> }) | null>) {
    if (subject === null) throw new CosignError('MALFORMED_SIGNATURE', 'invalid in-toto statement: null subject entry');
    const hex = subject.digest['sha256'];
    if (hex === undefined || `sha256:${hex}` !== digest) continue;
    if (!correctAnnotations(annotations, subject.annotations)) throw new CosignError('USER_METADATA_MISMATCH', 'missing or incorrect annotation');
    return;
  }
  throw new CosignError('TARGET_ARTIFACT_MISMATCH', 'no matching subject digest found');
}
