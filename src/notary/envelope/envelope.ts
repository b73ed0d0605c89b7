// parseEnvelope and signEnvelope: the format-independent steps around the JWS and COSE codecs.
import { isNotaryFailure, NotaryError } from '../errors.js';
import {
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  type EnvelopeContent,
  type SignatureMediaType,
  type SignedAttributes,
  type UnsignedAttributes,
} from '../types.js';
import { jwsAlgorithmName, signBytes, verifyBytes } from './algorithm.js';
import { assertNoUnknownCriticalAttributes, isSigningScheme, truncateToSeconds } from './attributes.js';
import { assertPrivateKey, keyMatchesCertificate, signingCertificate } from './certificates.js';
import {
  JWS_REGISTERED_HEADERS,
  MAX_ENVELOPE_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_TIMESTAMP_SIGNATURE_BYTES,
  RESERVED_ATTRIBUTE_NAMES,
} from './constants.js';
import { coseProtectedHeader, coseUnprotectedHeader, encodeCose, parseCose, sigStructure } from './cose.js';
import { encodeJws, jwsProtectedHeader, jwsSigningInput, parseJws } from './jws.js';
import type { ParseOptions, ParsedEnvelope, SignRequest, SignatureEnvelope } from './types.js';

export const SUPPORTED_SIGNATURE_MEDIA_TYPES: readonly SignatureMediaType[] = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE];

export function isSignatureMediaType(mediaType: string): mediaType is SignatureMediaType {
  return (SUPPORTED_SIGNATURE_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

function assertMediaType(mediaType: string): asserts mediaType is SignatureMediaType {
  if (!isSignatureMediaType(mediaType)) {
    throw new NotaryError(
      'UNSUPPORTED_SIGNATURE_FORMAT',
      `signature envelope media type "${mediaType}" is not supported; use ${SUPPORTED_SIGNATURE_MEDIA_TYPES.join(' or ')}`,
    );
  }
}

class ParsedSignatureEnvelope implements SignatureEnvelope {
  constructor(
    readonly mediaType: SignatureMediaType,
    private readonly parsed: ParsedEnvelope,
    private readonly understood: ReadonlySet<string>,
  ) {}

  content(): EnvelopeContent {
    return this.parsed.content;
  }

  async verify(): Promise<EnvelopeContent> {
    const content = await this.verifyIntegrity();
    assertNoUnknownCriticalAttributes(content.signerInfo.signedAttributes, this.understood);
    return content;
  }

  async verifyIntegrity(): Promise<EnvelopeContent> {
    const { content, headerAlgorithm, signedBytes, publicKey, integrityDefects } = this.parsed;
    const { signerInfo } = content;
    if (integrityDefects.length > 0) {
      throw new NotaryError('INVALID_SIGNATURE', `the signature cannot verify: ${integrityDefects.join('; ')}; the envelope was altered`);
    }
    // The key decides the algorithm; a different `alg` in the header is an algorithm substitution.
    if (headerAlgorithm !== signerInfo.signatureAlgorithm) {
      throw new NotaryError(
        'INVALID_SIGNATURE',
        `the envelope's algorithm ${jwsAlgorithmName(headerAlgorithm)} does not match the signing certificate's key, ` +
          `which signs with ${jwsAlgorithmName(signerInfo.signatureAlgorithm)}: the envelope is not intact`,
      );
    }
    if (!verifyBytes(signerInfo.signatureAlgorithm, publicKey, signedBytes, signerInfo.signature)) {
      throw new NotaryError(
        'INVALID_SIGNATURE',
        'the signature does not verify with the signing certificate\'s public key: the payload, the signed headers or ' +
          'the signature were altered, or the envelope was signed with another key',
      );
    }
    return content;
  }
}

/**
 * Parse an envelope of `mediaType` (from the signature manifest's layer). Throws NotaryError:
 * UNSUPPORTED_SIGNATURE_FORMAT, MALFORMED_SIGNATURE (with the rule broken) or UNSUPPORTED_ALGORITHM.
 */
export function parseEnvelope(mediaType: string, bytes: Uint8Array, options: ParseOptions = {}): SignatureEnvelope {
  assertMediaType(mediaType);
  if (bytes.byteLength > MAX_ENVELOPE_BYTES) {
    throw new NotaryError('MALFORMED_SIGNATURE', `the signature envelope is ${bytes.byteLength} bytes, over the limit of ${MAX_ENVELOPE_BYTES}`);
  }
  let parsed: ParsedEnvelope;
  try {
    parsed = mediaType === MEDIA_TYPE_JWS ? parseJws(bytes) : parseCose(bytes);
  } catch (err) {
    if (isNotaryFailure(err)) throw err;
    // Nothing outside our own checks may escape as a crash: report it as what it is.
    throw new NotaryError('MALFORMED_SIGNATURE', `malformed signature envelope: ${(err as Error).message}`, { cause: err });
  }
  return new ParsedSignatureEnvelope(mediaType, parsed, new Set(options.understoodCriticalAttributes ?? []));
}

function invalidInput(message: string): NotaryError {
  return new NotaryError('INVALID_INPUT', message);
}

function validateRequest(request: SignRequest): { attributes: SignedAttributes } {
  if (!(request.payload instanceof Uint8Array) || request.payload.length === 0) throw invalidInput('the payload to sign is empty');
  if (request.payload.length > MAX_PAYLOAD_BYTES) throw invalidInput(`the payload is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (!isSigningScheme(request.signingScheme)) {
    throw invalidInput(`signing scheme "${String(request.signingScheme)}" is not supported; use notary.x509 or notary.x509.signingAuthority`);
  }
  if (!(request.signingTime instanceof Date) || Number.isNaN(request.signingTime.getTime())) throw invalidInput('the signing time is not a valid date');
  const signingTime = truncateToSeconds(request.signingTime);
  let expiry: Date | undefined;
  if (request.expiry !== undefined) {
    if (!(request.expiry instanceof Date) || Number.isNaN(request.expiry.getTime())) throw invalidInput('the expiry is not a valid date');
    expiry = truncateToSeconds(request.expiry);
    if (expiry.getTime() <= signingTime.getTime()) throw invalidInput('the expiry must be after the signing time');
  }
  const keys = new Set<string>();
  for (const attribute of request.extendedAttributes ?? []) {
    if (typeof attribute.key !== 'string' || attribute.key === '') throw invalidInput('an extended attribute has an empty key');
    if (RESERVED_ATTRIBUTE_NAMES.has(attribute.key) || JWS_REGISTERED_HEADERS.has(attribute.key)) {
      throw invalidInput(`extended attribute "${attribute.key}" collides with a header of the envelope itself`);
    }
    if (keys.has(attribute.key)) throw invalidInput(`extended attribute "${attribute.key}" is given twice`);
    keys.add(attribute.key);
  }
  if (request.timestamper && request.signingScheme !== 'notary.x509') {
    throw invalidInput('a timestamp countersignature is only used with the notary.x509 signing scheme');
  }
  return {
    attributes: {
      signingScheme: request.signingScheme,
      signingTime,
      ...(expiry ? { expiry } : {}),
      ...(request.signingScheme === 'notary.x509.signingAuthority' ? { authenticSigningTime: signingTime } : {}),
      extendedAttributes: request.extendedAttributes ?? [],
    },
  };
}

/**
 * Sign a payload into a JWS or COSE envelope. The algorithm is the one the leaf certificate's key
 * dictates; the result is parsed and verified before it is returned, as notation-core-go does.
 */
export async function signEnvelope(request: SignRequest): Promise<Uint8Array> {
  assertMediaType(request.mediaType);
  assertPrivateKey(request.privateKey);
  const { attributes } = validateRequest(request);
  if (!Array.isArray(request.certificateChain)) throw invalidInput('the certificate chain must be a list of DER certificates, leaf first');
  const format = request.mediaType === MEDIA_TYPE_JWS ? 'JWS' : 'COSE';
  let certificate;
  try {
    certificate = signingCertificate(format, request.certificateChain);
  } catch (err) {
    if (err instanceof NotaryError && err.code === 'MALFORMED_SIGNATURE') throw new NotaryError('INVALID_INPUT', err.message, { cause: err });
    throw err;
  }
  if (!keyMatchesCertificate(request.privateKey, request.certificateChain[0] as Uint8Array)) {
    throw invalidInput('the private key does not belong to the signing (first) certificate of the chain');
  }
  const { algorithm } = certificate;
  const unsigned: UnsignedAttributes = request.signingAgent ? { signingAgent: request.signingAgent } : {};

  let signature: Uint8Array;
  let encode: (unsignedAttributes: UnsignedAttributes) => Uint8Array;
  if (request.mediaType === MEDIA_TYPE_JWS) {
    const protectedHeader = jwsProtectedHeader({ algorithm, payload: request.payload, attributes });
    signature = signBytes(algorithm, request.privateKey, jwsSigningInput(protectedHeader, request.payload));
    encode = (u) => encodeJws(protectedHeader, request.payload, request.certificateChain, u, signature);
  } else {
    const protectedBytes = coseProtectedHeader({ algorithm, attributes });
    signature = signBytes(algorithm, request.privateKey, sigStructure(protectedBytes, request.payload));
    encode = (u) => encodeCose(protectedBytes, coseUnprotectedHeader(request.certificateChain, u), request.payload, signature);
  }
  if (request.timestamper) {
    const token = await request.timestamper(signature, algorithm);
    if (!(token instanceof Uint8Array) || token.length === 0 || token.length > MAX_TIMESTAMP_SIGNATURE_BYTES) {
      throw new NotaryError('INVALID_TIMESTAMP', `the timestamp authority returned no usable token (at most ${MAX_TIMESTAMP_SIGNATURE_BYTES} bytes)`);
    }
    unsigned.timestampSignature = token;
  }
  const envelope = encode(unsigned);
  if (envelope.byteLength > MAX_ENVELOPE_BYTES) throw invalidInput(`the signed envelope would exceed ${MAX_ENVELOPE_BYTES} bytes`);
  // Check our own output with the verifier's parser, so a bug never ships a signature notation rejects.
  const ownCritical = attributes.extendedAttributes.filter((a) => a.critical).map((a) => a.key);
  await parseEnvelope(request.mediaType, envelope, { understoodCriticalAttributes: ownCritical }).verify();
  return envelope;
}
