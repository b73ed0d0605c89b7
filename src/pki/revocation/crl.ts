// CRLs (RFC 5280 5): validate a base CRL and its delta CRL, and judge a certificate against them (pure; no I/O).
import * as asn1js from 'asn1js';
import { decodeBer } from '../asn1.js';
import { bytesEqual } from '../../common/index.js';
import { SignatureCheckError, verifySignatureValue } from '../algorithm.js';
import { X509Crl } from '../x509.js';
import { normaliseSerial } from '../certificate/serial.js';
import type { CertificateInfo } from './certificate.js';
import {
  FRESHNESS_SKEW_MS,
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_CRL_NUMBER,
  OID_CRL_REASON,
  OID_DELTA_CRL_INDICATOR,
  OID_FRESHEST_CRL,
  OID_INVALIDITY_DATE,
  OID_ISSUING_DISTRIBUTION_POINT,
  REASON_REMOVE_FROM_CRL,
} from './constants.js';
import type { RevocationEvaluation } from './evaluation.js';
import { crlNumber, deltaCrlIndicator, ExtensionError, parseDistributionPointUris } from './extensions.js';

/** A CRL that failed validation: the message says how. */
export class CrlError extends Error {}

export interface ParsedCrl {
  crl: X509Crl;
  der: Uint8Array;
  issuerDer: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithm: { algorithm: string; parameters?: asn1js.AsnType };
  signature: Uint8Array;
  number?: bigint;
  /** Set on a delta CRL: the base CRL number it applies to. */
  deltaIndicator?: bigint;
}

function children(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence ? node.valueBlock.value : [];
}

export function parseCrl(der: Uint8Array): ParsedCrl {
  const parsed = decodeBer(der);
  if (!parsed.ok) throw new CrlError(`the CRL is not valid DER: ${parsed.message}`);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) throw new CrlError('the CRL is not valid DER');
  const [tbs, algorithm, signature] = children(parsed.result);
  const algorithmFields = children(algorithm);
  const oid = algorithmFields[0];
  if (!tbs || !(oid instanceof asn1js.ObjectIdentifier) || !(signature instanceof asn1js.BitString)) {
    throw new CrlError('the CRL is malformed');
  }
  let crl: X509Crl;
  try {
    crl = new X509Crl(der);
  } catch (err) {
    throw new CrlError(`the CRL cannot be parsed: ${(err as Error).message}`);
  }
  const tbsFields = children(tbs);
  // TBSCertList: version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name, ...
  const issuer = tbsFields[tbsFields[0] instanceof asn1js.Integer ? 2 : 1];
  try {
    return {
      crl,
      der,
      issuerDer: issuer?.valueBeforeDecodeView ?? new Uint8Array(0),
      tbs: tbs.valueBeforeDecodeView,
      signatureAlgorithm: { algorithm: oid.valueBlock.toString(), parameters: algorithmFields[1] },
      signature: signature.valueBlock.valueHexView,
      number: crlNumber(crl.extensions),
      deltaIndicator: deltaCrlIndicator(crl.extensions),
    };
  } catch (err) {
    throw new CrlError(err instanceof ExtensionError ? `the CRL has an ${err.message}` : String(err));
  }
}

/** CRL extensions understood here; any other critical one makes the CRL unusable (RFC 5280 5.2). */
const KNOWN_CRL_EXTENSIONS = new Set([
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_CRL_NUMBER,
  OID_DELTA_CRL_INDICATOR,
  // Scope of the CRL: every distribution point of the certificate is checked, so the scope needs no check.
  OID_ISSUING_DISTRIBUTION_POINT,
  OID_FRESHEST_CRL,
]);
const KNOWN_ENTRY_EXTENSIONS = new Set([OID_CRL_REASON, OID_INVALIDITY_DATE]);

/** Signature by the certificate's issuer, freshness, critical extensions (trust-store-trust-policy.md, CRLs). */
export function validateCrl(crl: ParsedCrl, issuer: CertificateInfo, now: Date, kind: 'base' | 'delta'): void {
  const name = kind === 'base' ? 'CRL' : 'delta CRL';
  // Names match by bytes or, when encodings differ (PrintableString vs UTF8String), by their string form.
  if (!bytesEqual(crl.issuerDer, issuer.subjectDer) && crl.crl.issuer !== issuer.subject) throw new CrlError(`the ${name} is not issued by ${issuer.subject} (indirect CRLs are not supported)`);
  let verified: boolean;
  try {
    verified = verifySignatureValue(issuer.node.publicKey, crl.signatureAlgorithm, crl.tbs, crl.signature);
  } catch (err) {
    throw new CrlError(`the ${name} signature cannot be checked: ${err instanceof SignatureCheckError ? err.message : String(err)}`);
  }
  if (!verified) throw new CrlError(`the ${name} signature does not verify with the key of ${issuer.subject}`);
  const { thisUpdate, nextUpdate } = crl.crl;
  if (thisUpdate.getTime() > now.getTime() + FRESHNESS_SKEW_MS) throw new CrlError(`the ${name} is not yet valid (thisUpdate ${thisUpdate.toISOString()})`);
  if (nextUpdate && now.getTime() > nextUpdate.getTime()) throw new CrlError(`the ${name} expired at ${nextUpdate.toISOString()} (nextUpdate)`);
  for (const extension of crl.crl.extensions) {
    if (extension.critical && !KNOWN_CRL_EXTENSIONS.has(extension.type)) {
      throw new CrlError(`the ${name} has an unsupported critical extension ${extension.type}`);
    }
  }
  if (kind === 'base' && crl.deltaIndicator !== undefined) throw new CrlError('a delta CRL was served where a base CRL was expected');
  if (kind === 'delta' && crl.deltaIndicator === undefined) throw new CrlError('the delta CRL has no delta CRL indicator extension');
}

/**
 * The delta CRL location named by a base CRL's Freshest CRL extension. As notation-core-go: no extension, or
 * one without URIs, means no delta; exactly one URI is fetched; more than one, or a malformed extension, makes
 * the status unknown.
 */
export function deltaCrlUrl(base: ParsedCrl): string | undefined {
  const extension = base.crl.extensions.find((e) => e.type === OID_FRESHEST_CRL);
  if (!extension) return undefined;
  let uris: string[];
  try {
    uris = parseDistributionPointUris(extension.value, 'Freshest CRL extension');
  } catch (err) {
    throw new CrlError(`failed to parse the Freshest CRL extension of the CRL: ${(err as Error).message}`);
  }
  if (uris.length > 1) throw new CrlError(`the Freshest CRL extension names ${uris.length} delta CRL locations; only one is supported`);
  return uris[0];
}

/** A delta CRL must extend this base (RFC 5280 5.2.4): newer than the base, relative to a base no newer than it. */
export function checkDeltaMatchesBase(base: ParsedCrl, delta: ParsedCrl): void {
  if (base.number === undefined) throw new CrlError('the base CRL has no CRL number, so a delta CRL cannot be applied');
  if (delta.number === undefined) throw new CrlError('the delta CRL has no CRL number');
  if (delta.number <= base.number) {
    throw new CrlError(`the delta CRL number ${delta.number} is not greater than the base CRL number ${base.number}`);
  }
  if (delta.deltaIndicator !== undefined && delta.deltaIndicator > base.number) {
    throw new CrlError(`the delta CRL applies to base CRL ${delta.deltaIndicator}, newer than the base CRL ${base.number} fetched`);
  }
}

export interface CrlContext {
  cert: CertificateInfo;
  now: Date;
  authenticSigningTime?: Date;
}

function entryFor(crl: ParsedCrl, serial: string) {
  return crl.crl.entries.find((entry) => normaliseSerial(Buffer.from(entry.serialNumber, 'hex')) === serial);
}

/**
 * Judge the certificate against a validated base CRL and optional delta CRL. An entry whose invalidity date is
 * after the authentic signing time does not count (notation-core-go); a delta entry `removeFromCRL` releases a
 * certificate on hold in the base CRL.
 */
export function evaluateCrl(base: ParsedCrl, delta: ParsedCrl | undefined, context: CrlContext): RevocationEvaluation {
  const freshness = { thisUpdate: (delta ?? base).crl.thisUpdate, nextUpdate: earliest(base.crl.nextUpdate, delta?.crl.nextUpdate) };
  const deltaEntry = delta ? entryFor(delta, context.cert.serial) : undefined;
  const entry = deltaEntry ?? entryFor(base, context.cert.serial);
  if (!entry) return { status: 'good', ...freshness };
  for (const extension of entry.extensions) {
    if (extension.critical && !KNOWN_ENTRY_EXTENSIONS.has(extension.type)) {
      return { status: 'unknown', ...freshness, error: `the CRL entry has an unsupported critical extension ${extension.type}` };
    }
  }
  const reason = entry.reason as number | undefined;
  if (reason === REASON_REMOVE_FROM_CRL) return { status: 'good', ...freshness, note: 'released from hold by the delta CRL' };
  const invalidity = entry.invalidity;
  if (context.authenticSigningTime && invalidity && context.authenticSigningTime < invalidity) {
    return { status: 'good', ...freshness, revocationTime: entry.revocationDate, reason, note: 'revoked with an invalidity date after the authentic signing time' };
  }
  return { status: 'revoked', ...freshness, revocationTime: entry.revocationDate, reason };
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}
