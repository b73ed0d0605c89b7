// Verification of RFC 3161 timestamp tokens (CMS SignedData over TSTInfo) against a signature and trusted TSA certificates.
import * as pkijs from 'pkijs';
import { bytesEqual } from '../../common/index.js';
import { digest, hashAlgorithmFromOid, type HashAlgorithmName } from '../algorithm.js';
import { X509Certificate } from '../x509.js';
import { OID_BASELINE_TIMESTAMP_POLICY } from './constants.js';
import { invalidTimestamp, parseToken, parseTstInfo } from './parse.js';
import { verifyTokenSignature } from './signature.js';
import { trustedTsaChain } from './tsa.js';

export interface VerifyTimestampOptions {
  /**
   * Time at which the TSA chain must be valid. Defaults to the token's genTime (RFC 3161: the TSA certificate must
   * have been valid when the token was issued).
   */
  atTime?: Date;
  /** Appended to the UNTRUSTED_TIMESTAMP message: where the caller keeps its trusted TSA certificates. */
  untrustedHint?: string;
  /** Checked before and after the work; an abort throws the signal's reason. */
  signal?: AbortSignal;
}

export interface VerifiedTimestamp {
  /** TSTInfo.genTime. */
  genTime: Date;
  /** Accuracy applied to genTime, in milliseconds (explicit, 1 s for the baseline policy, else 0). */
  accuracyMs: number;
  /** genTime - accuracy: the timeStampLowerLimit of the trust policy spec. */
  earliest: Date;
  /** genTime + accuracy: the timeStampUpperLimit of the trust policy spec. */
  latest: Date;
  /** The TSA chain, signing certificate first, trust anchor last. */
  tsaChain: X509Certificate[];
  /** Hash algorithm of the message imprint. */
  hashAlgorithm: HashAlgorithmName;
}

function accuracyMs(tstInfo: pkijs.TSTInfo): number {
  const accuracy = tstInfo.accuracy;
  const explicit = accuracy ? (accuracy.seconds ?? 0) * 1000 + (accuracy.millis ?? 0) + (accuracy.micros ?? 0) / 1000 : 0;
  // Trust policy spec: no stated accuracy + baseline policy (RFC 3628) means 1 s; otherwise 0.
  if (explicit === 0 && tstInfo.policy === OID_BASELINE_TIMESTAMP_POLICY) return 1000;
  return explicit;
}

/**
 * Verify an RFC 3161 timestamp token as the countersignature of `signature` (trust-store-trust-policy.md, Validate
 * Authentic Timestamp). Throws PkiError `UNTRUSTED_TIMESTAMP` when the TSA chains to none of `tsaRoots`, and
 * `INVALID_TIMESTAMP` naming the defect for anything else.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  signature: Uint8Array,
  tsaRoots: X509Certificate[],
  opts: VerifyTimestampOptions = {},
): Promise<VerifiedTimestamp> {
  opts.signal?.throwIfAborted();
  const parsed = parseToken(token);
  const { signerInfo, signer } = verifyTokenSignature(parsed);

  // TSTInfo (RFC 3161 2.4.2).
  const tstInfo = parseTstInfo(parsed.content);
  if (tstInfo.version !== 1) throw invalidTimestamp(`TSTInfo version must be 1, but is ${tstInfo.version}`);
  const imprintAlgorithm = hashAlgorithmFromOid(tstInfo.messageImprint.hashAlgorithm.algorithmId);
  if (!imprintAlgorithm) {
    throw invalidTimestamp(
      `unsupported or weak message imprint hash algorithm ${tstInfo.messageImprint.hashAlgorithm.algorithmId} (SHA-1 is not accepted)`,
    );
  }
  const genTime = tstInfo.genTime;
  if (!(genTime instanceof Date) || Number.isNaN(genTime.getTime())) throw invalidTimestamp('the TSTInfo genTime is malformed');

  // The TSA certificate: EKU, chain to a trusted TSA certificate, validity at genTime.
  const chain = trustedTsaChain(signer, parsed.certificates, tsaRoots, signerInfo, opts.atTime ?? genTime, opts.untrustedHint);

  // Finally the imprint: the token must cover exactly these signature bytes.
  if (!bytesEqual(digest(imprintAlgorithm, signature), tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView)) {
    throw invalidTimestamp('the message imprint does not match the signature: the timestamp was issued for other data');
  }
  opts.signal?.throwIfAborted();

  const accuracy = accuracyMs(tstInfo);
  return {
    genTime,
    accuracyMs: accuracy,
    earliest: new Date(genTime.getTime() - accuracy),
    latest: new Date(genTime.getTime() + accuracy),
    tsaChain: chain.map((c) => new X509Certificate(c.der)),
    hashAlgorithm: imprintAlgorithm,
  };
}
