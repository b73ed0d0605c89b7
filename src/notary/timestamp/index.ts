// RFC 3161 timestamping: verify a token as a signature's countersignature, and request one from a TSA.
export { verifyTimestampToken, type VerifyTimestampOptions, type VerifiedTimestamp } from './token.js';
export { requestTimestamp, type RequestTimestampOptions } from './request.js';
export { verifySignatureValue, digest, hashAlgorithmFromOid, SignatureCheckError, type HashAlgorithmName } from './algorithm.js';
export {
  MAX_TIMESTAMP_TOKEN_BYTES,
  MAX_TIMESTAMP_RESPONSE_BYTES,
  DEFAULT_TIMESTAMP_TIMEOUT_MS,
  MEDIA_TYPE_TIMESTAMP_QUERY,
  MEDIA_TYPE_TIMESTAMP_REPLY,
} from './constants.js';
