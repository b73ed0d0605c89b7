// Signed attribute rules shared by JWS and COSE: signing scheme, times, crit, extended attributes (signature-specification.md).
import { NotaryError } from '../errors.js';
import type { ExtendedAttribute, SignedAttributes, SigningScheme } from '../types.js';
import { HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY, HEADER_SIGNING_SCHEME, HEADER_SIGNING_TIME } from './constants.js';

export const SIGNING_SCHEMES: readonly SigningScheme[] = ['notary.x509', 'notary.x509.signingAuthority'];

export function isSigningScheme(value: unknown): value is SigningScheme {
  return typeof value === 'string' && (SIGNING_SCHEMES as readonly string[]).includes(value);
}

export function malformed(format: string, message: string, cause?: unknown): NotaryError {
  return new NotaryError('MALFORMED_SIGNATURE', `malformed ${format} envelope: ${message}`, cause === undefined ? undefined : { cause });
}

/** Protected headers after format-specific decoding: times already parsed, keys as strings. */
export interface DecodedSignedHeaders {
  format: 'JWS' | 'COSE';
  signingScheme: unknown;
  signingTime?: Date;
  authenticSigningTime?: Date;
  expiry?: Date;
  /** `crit` entries as strings (COSE integer labels in decimal). */
  crit: string[];
  /** Every protected header name present (for "marked critical but not present"). */
  present: ReadonlySet<string>;
  /** Protected headers that are not the envelope's own, in header order. */
  extended: { key: string; value: unknown }[];
}

/**
 * Apply the spec's rules to the signed attributes: a supported signing scheme; signingTime for
 * notary.x509 and authenticSigningTime for notary.x509.signingAuthority, never the other one;
 * `crit` lists signingScheme, expiry when present and authenticSigningTime for signingAuthority;
 * every `crit` entry is present; expiry is after the signing time.
 */
export function validateSignedAttributes(headers: DecodedSignedHeaders): SignedAttributes {
  const { format } = headers;
  if (headers.signingScheme === undefined) throw malformed(format, `missing protected header "${HEADER_SIGNING_SCHEME}"`);
  if (!isSigningScheme(headers.signingScheme)) {
    throw malformed(
      format,
      `unsupported signing scheme ${JSON.stringify(headers.signingScheme)}; supported are ${SIGNING_SCHEMES.join(' and ')}`,
    );
  }
  const signingScheme = headers.signingScheme;
  const mustBeCritical = new Set<string>([HEADER_SIGNING_SCHEME]);
  let signingTime: Date;
  let authenticSigningTime: Date | undefined;
  if (signingScheme === 'notary.x509') {
    if (headers.authenticSigningTime !== undefined) {
      throw malformed(format, `header "${HEADER_AUTHENTIC_SIGNING_TIME}" must not be present for signing scheme notary.x509`);
    }
    if (headers.signingTime === undefined) throw malformed(format, `missing protected header "${HEADER_SIGNING_TIME}"`);
    signingTime = headers.signingTime;
  } else {
    if (headers.signingTime !== undefined) {
      throw malformed(format, `header "${HEADER_SIGNING_TIME}" must not be present for signing scheme notary.x509.signingAuthority`);
    }
    if (headers.authenticSigningTime === undefined) {
      throw malformed(format, `missing protected header "${HEADER_AUTHENTIC_SIGNING_TIME}"`);
    }
    authenticSigningTime = headers.authenticSigningTime;
    signingTime = authenticSigningTime;
    mustBeCritical.add(HEADER_AUTHENTIC_SIGNING_TIME);
  }
  if (headers.expiry !== undefined) {
    mustBeCritical.add(HEADER_EXPIRY);
    if (headers.expiry.getTime() <= signingTime.getTime()) {
      throw malformed(format, `expiry ${headers.expiry.toISOString()} is not after the signing time ${signingTime.toISOString()}`);
    }
  }
  for (const key of headers.crit) {
    mustBeCritical.delete(key);
    if (!headers.present.has(key)) throw malformed(format, `header "${key}" is marked critical but not present`);
  }
  if (mustBeCritical.size > 0) {
    throw malformed(format, `these required headers are not marked critical: ${[...mustBeCritical].join(', ')}`);
  }
  const critical = new Set(headers.crit);
  const extendedAttributes: ExtendedAttribute[] = headers.extended.map(({ key, value }) => ({
    key,
    critical: critical.has(key),
    value,
  }));
  return {
    signingScheme,
    signingTime,
    ...(headers.expiry !== undefined ? { expiry: headers.expiry } : {}),
    ...(authenticSigningTime !== undefined ? { authenticSigningTime } : {}),
    extendedAttributes,
  };
}

/** The critical extended attributes not in `understood`: each MUST fail verification (signature-specification.md). */
export function unknownCriticalAttributes(attributes: SignedAttributes, understood: Iterable<string> = []): string[] {
  const known = new Set(understood);
  return attributes.extendedAttributes.filter((attribute) => attribute.critical && !known.has(attribute.key)).map((a) => a.key);
}

export function assertNoUnknownCriticalAttributes(attributes: SignedAttributes, understood: Iterable<string> = []): void {
  const unknown = unknownCriticalAttributes(attributes, understood);
  if (unknown.length > 0) {
    throw new NotaryError(
      'UNKNOWN_CRITICAL_ATTRIBUTE',
      `the signature has critical attributes that imgverify does not understand: ${unknown.join(', ')}; ` +
        'it needs a verifier (e.g. a verification plugin) that processes them',
    );
  }
}

/** Time without fractional seconds, as the spec asks signers to write it. */
export function truncateToSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parse an RFC 3339 date-time (what Go's time.Time accepts in JSON); undefined when it is not one. */
export function parseRfc3339(value: string): Date | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, , zone] = match;
  const monthNumber = Number(month);
  const dayNumber = Number(day);
  if (monthNumber < 1 || monthNumber > 12 || dayNumber < 1 || dayNumber > 31) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 60) return undefined;
  if (zone && zone.length === 6 && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  // Date accepts 2023-02-31 by rolling over; RFC 3339 does not.
  const check = new Date(Date.UTC(Number(year), monthNumber - 1, dayNumber));
  if (check.getUTCDate() !== dayNumber) return undefined;
  return date;
}

/** RFC 3339 in UTC without fractional seconds, as Go marshals a UTC time.Time truncated to seconds. */
export function formatRfc3339(date: Date): string {
  return truncateToSeconds(date).toISOString().replace('.000Z', 'Z');
}
