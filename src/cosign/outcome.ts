// The outcome of a cosign verification: per signature layer, then the image's; plain data the CLI prints and policies read.
import type { ErrorInfo } from '../verification/index.js';

/** The Rekor entry a signature's bundle annotation points at, once its SET verified. */
export interface TlogEntryInfo {
  logID: string;
  logIndex: number;
  /** Seconds since the epoch: the time certificates are judged at. */
  integratedTime: number;
}

/** Who signed, as far as the verification established. */
export interface SignerInfo {
  /** `key`: one of the policy's public keys (its index); `certificate`: a leaf from the signature or the policy. */
  kind: 'key' | 'certificate';
  keyIndex?: number;
  /** Certificate subject DN and SANs, and the Fulcio issuer for keyless. */
  subject?: string;
  sans?: string[];
  issuer?: string;
}

/** The cosign simple-signing payload (`.sig` layers). */
export interface SimpleSigningPayload {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional?: Record<string, unknown> | null;
}

/** An in-toto statement (`.att` layers), as much as verification reads; the rest is kept for conditions. */
export interface InTotoStatement {
  _type: string;
  predicateType: string;
  subject: Array<{ name?: string; digest: Record<string, string> }>;
  predicate?: unknown;
  [key: string]: unknown;
}

/** One signature layer of the `.sig` or `.att` manifest and what happened to it. */
export interface CosignSignatureOutcome {
  /** Digest of the layer (the payload or envelope). */
  layer: string;
  verified: boolean;
  error?: ErrorInfo;
  signer?: SignerInfo;
  tlog?: TlogEntryInfo;
  /** The predicate type (attestations). */
  predicateType?: string;
}

interface OutcomeBase {
  verified: boolean;
  /** The image verified: `registry/repository@digest`. */
  image: string;
  /** `registry/repository:sha256-<hex>.sig` (or `.att`): where the signatures were read. */
  signatureTag: string;
  /** Every layer tried, in manifest order. */
  signatures: CosignSignatureOutcome[];
  /** Set when not verified: the deciding error, worded as cosign words it. */
  error?: ErrorInfo;
}

export interface CosignSignaturesOutcome extends OutcomeBase {
  /** The payloads of the verified signatures, in layer order. */
  payloads: SimpleSigningPayload[];
}

export interface CosignAttestationsOutcome extends OutcomeBase {
  /** The statements of the verified attestations of the predicate type asked for, in layer order. */
  statements: InTotoStatement[];
}
