// RFC 3161 client: asks a TSA over HTTP for a timestamp token covering a signature, and checks the reply.
import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeBer } from '../asn1.js';
import * as pkijs from 'pkijs';
import type { X509Certificate } from '@peculiar/x509';
import { bytesEqual, header, HttpClient, HttpError } from '../../common/index.js';
import { digest, HASH_ALGORITHM_OIDS, type HashAlgorithmName } from '../algorithm.js';
import { PkiError } from '../errors.js';
import {
  DEFAULT_TIMESTAMP_TIMEOUT_MS,
  MAX_TIMESTAMP_RESPONSE_BYTES,
  MEDIA_TYPE_TIMESTAMP_QUERY,
  MEDIA_TYPE_TIMESTAMP_REPLY,
} from './constants.js';
import { readTstInfo } from './parse.js';
import { verifyTimestampToken } from './verify.js';

export interface RequestTimestampOptions {
  hashAlgorithm: HashAlgorithmName;
  signal?: AbortSignal;
  /** Time allowed for the whole round trip (default 10 s). */
  timeoutMs?: number;
  /** When given, the returned token is fully verified against these TSA roots before it is returned. */
  rootCertificates?: X509Certificate[];
  /** VerifyTimestampOptions.untrustedHint of that verification. */
  untrustedHint?: string;
  /** Largest reply accepted (default 256 KiB). */
  maxResponseBytes?: number;
}

/** PKIStatus values that carry a token (RFC 3161 2.4.2). */
const STATUS_GRANTED = 0;
const STATUS_GRANTED_WITH_MODS = 1;
const NONCE_BYTES = 16;
/** The client of TSA requests: the whole round trip is bounded by each request's own deadline. */
const client = new HttpClient();

function unavailable(url: string, message: string, cause?: unknown): PkiError {
  return new PkiError(
    'TIMESTAMP_UNAVAILABLE',
    `timestamp authority ${url}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function invalidReply(url: string, message: string, cause?: unknown): PkiError {
  return new PkiError(
    'INVALID_TIMESTAMP',
    `invalid timestamp reply from ${url}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function positiveNonce(): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  // Clear the sign bit so the INTEGER is positive and its DER needs no padding byte.
  nonce[0] = ((nonce[0] ?? 0) & 0x7f) | 0x01;
  return new Uint8Array(nonce);
}

/** Build a DER TimeStampReq (version 1, certReq true, with a nonce). */
function buildTimestampRequest(
  signature: Uint8Array,
  hashAlgorithm: HashAlgorithmName,
  nonce: Uint8Array,
): Uint8Array {
  const timeStampReq = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: HASH_ALGORITHM_OIDS[hashAlgorithm] }),
      hashedMessage: new asn1js.OctetString({ valueHex: digest(hashAlgorithm, signature) }),
    }),
    nonce: new asn1js.Integer({ valueHex: nonce }),
    certReq: true,
  });
  return new Uint8Array(timeStampReq.toSchema().toBER(false));
}

function integerBytes(value: asn1js.Integer | undefined): string {
  if (!value) return '';
  const bytes = value.valueBlock.valueHexView;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start)).toString('hex');
}

/** Parse a TimeStampResp and return the DER token, after the status, nonce and imprint checks. */
function tokenFromReply(
  reply: Uint8Array,
  url: string,
  expected: { nonce: Uint8Array; hashAlgorithm: HashAlgorithmName; imprint: Uint8Array },
): Uint8Array {
  const parsed = decodeBer(reply);
  if (!parsed.ok) throw invalidReply(url, 'the reply is not valid ASN.1', parsed.error);
  if (parsed.offset === -1) throw invalidReply(url, 'the reply is not valid ASN.1');
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: parsed.result });
  } catch (err) {
    throw invalidReply(url, 'the reply is not a TimeStampResp', err);
  }
  const status = response.status.status;
  if (status !== STATUS_GRANTED && status !== STATUS_GRANTED_WITH_MODS) {
    const text = response.status.statusStrings?.map((s) => s.valueBlock.value).join('; ');
    throw unavailable(url, `the request was rejected (PKIStatus ${status}${text ? `: ${text}` : ''})`);
  }
  if (!response.timeStampToken) throw invalidReply(url, 'the reply was granted but holds no timestamp token');
  // Re-encode the token from the reply's own bytes: the token element is the second field of TimeStampResp.
  const tokenNode = parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value[1] : undefined;
  if (!tokenNode) throw invalidReply(url, 'the reply holds no timestamp token');
  const token = new Uint8Array(tokenNode.valueBeforeDecodeView);

  const tstInfo = readTstInfo(token);
  if (integerBytes(tstInfo.nonce) !== integerBytes(new asn1js.Integer({ valueHex: expected.nonce }))) {
    throw invalidReply(url, 'the nonce in the token does not echo the request: the reply may be replayed');
  }
  if (tstInfo.messageImprint.hashAlgorithm.algorithmId !== HASH_ALGORITHM_OIDS[expected.hashAlgorithm]) {
    throw invalidReply(url, `the token's message imprint uses ${tstInfo.messageImprint.hashAlgorithm.algorithmId}, not ${expected.hashAlgorithm}`);
  }
  const imprint = tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView;
  if (!bytesEqual(imprint, expected.imprint)) {
    throw invalidReply(url, 'the message imprint of the token does not match the signature');
  }
  return token;
}

/**
 * Request an RFC 3161 timestamp token over `signature` from the TSA at `url` (HTTP POST of a TimeStampReq).
 * Returns the token DER. Throws PkiError `TIMESTAMP_UNAVAILABLE` when the TSA cannot be reached or refuses,
 * `INVALID_TIMESTAMP` / `UNTRUSTED_TIMESTAMP` when its reply is unusable.
 */
export async function requestTimestamp(url: string, signature: Uint8Array, options: RequestTimestampOptions): Promise<Uint8Array> {
  // The caller checked that the URL is http or https and the hash algorithm one of ours (its input, its error code).
  const parsedUrl = new URL(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMESTAMP_TIMEOUT_MS;
  const limit = options.maxResponseBytes ?? MAX_TIMESTAMP_RESPONSE_BYTES;
  const nonce = positiveNonce();
  const body = buildTimestampRequest(signature, options.hashAlgorithm, nonce);
  let reply: Uint8Array;
  try {
    const response = await client.fetchBytes(
      {
        method: 'POST',
        url: parsedUrl,
        body,
        headers: { 'content-type': MEDIA_TYPE_TIMESTAMP_QUERY, accept: MEDIA_TYPE_TIMESTAMP_REPLY },
        ...(options.signal && { signal: options.signal }),
        idempotent: false,
        followRedirects: false,
        what: url,
      },
      { maxBytes: limit, timeoutMs },
    );
    if (response.status !== 200) throw unavailable(url, `HTTP status ${response.status}`);
    const contentType = String(header(response.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (contentType !== MEDIA_TYPE_TIMESTAMP_REPLY) {
      throw invalidReply(url, `content type is "${contentType}", expected ${MEDIA_TYPE_TIMESTAMP_REPLY}`);
    }
    reply = response.bytes;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (err.code === 'RESPONSE_TOO_LARGE') throw invalidReply(url, `the reply is larger than ${limit} bytes`);
    if (err.code === 'TIMEOUT') throw unavailable(url, `no reply within ${timeoutMs} ms`, err);
    if (err.code === 'ABORTED') throw unavailable(url, 'the request was cancelled', err);
    const cause = err.cause instanceof Error ? err.cause : err;
    throw unavailable(url, `request failed: ${cause.message}`, err);
  }

  const token = tokenFromReply(reply, url, {
    nonce,
    hashAlgorithm: options.hashAlgorithm,
    imprint: digest(options.hashAlgorithm, signature),
  });
  if (options.rootCertificates) {
    // A fresh token is checked at its genTime, which is now: an expired TSA certificate is caught here.
    await verifyTimestampToken(token, signature, options.rootCertificates, {
      ...(options.untrustedHint !== undefined && { untrustedHint: options.untrustedHint }),
      ...(options.signal && { signal: options.signal }),
    });
  }
  return token;
}
