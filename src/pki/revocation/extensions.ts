// Reads revocation locations and CRL numbering out of X.509 extensions (AIA, CRL distribution points, freshest CRL).
import * as asn1js from 'asn1js';
import { decodeBer } from '../asn1.js';
import type { Extension } from '@peculiar/x509';
import { OID_AD_OCSP, OID_AUTHORITY_INFO_ACCESS, OID_CRL_DISTRIBUTION_POINTS, OID_CRL_NUMBER, OID_DELTA_CRL_INDICATOR } from './constants.js';

/** A malformed extension: the message says which. */
export class ExtensionError extends Error {}

function parse(value: ArrayBuffer | Uint8Array, what: string): asn1js.AsnType {
  const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
  const parsed = decodeBer(bytes);
  if (!parsed.ok || parsed.offset === -1 || parsed.offset !== bytes.byteLength) throw new ExtensionError(`invalid ${what}`);
  return parsed.result;
}

function items(node: asn1js.AsnType | undefined): asn1js.AsnType[] {
  return node instanceof asn1js.Constructed || node instanceof asn1js.Sequence || node instanceof asn1js.Set ? node.valueBlock.value : [];
}

function isContext(node: asn1js.AsnType | undefined, tag: number): boolean {
  return node !== undefined && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tag;
}

function uriOf(generalName: asn1js.AsnType): string | undefined {
  // GeneralName uniformResourceIdentifier [6] IA5String (implicit: primitive bytes).
  if (!isContext(generalName, 6) || generalName.idBlock.isConstructed) return undefined;
  const view = (generalName as asn1js.Primitive).valueBlock.valueHexView;
  return Buffer.from(view).toString('latin1');
}

/**
 * URIs of a CRLDistributionPoints value (also the syntax of FreshestCRL), read as notation-core-go does: points
 * without a distributionPoint are skipped, a distributionPoint that is not a fullName is an error, and only the
 * URI names of a fullName count.
 */
export function parseDistributionPointUris(value: ArrayBuffer | Uint8Array, what = 'CRL distribution points'): string[] {
  const root = parse(value, what);
  if (!(root instanceof asn1js.Sequence)) throw new ExtensionError(`invalid ${what}`);
  const uris: string[] = [];
  for (const point of root.valueBlock.value) {
    if (!(point instanceof asn1js.Sequence)) throw new ExtensionError(`invalid ${what}: a distribution point is not a SEQUENCE`);
    const name = point.valueBlock.value.find((field) => isContext(field, 0));
    if (!name) continue;
    const fullName = items(name)[0];
    if (!fullName || !isContext(fullName, 0)) {
      throw new ExtensionError(`invalid ${what}: a distribution point has no full name`);
    }
    for (const generalName of items(fullName)) {
      const uri = uriOf(generalName);
      if (uri !== undefined) uris.push(uri);
    }
  }
  return uris;
}

function findExtension(extensions: readonly Extension[], oid: string): Extension | undefined {
  return extensions.find((extension) => extension.type === oid);
}

/** OCSP responder URLs from the Authority Information Access extension. */
export function ocspUrls(extensions: readonly Extension[]): string[] {
  const extension = findExtension(extensions, OID_AUTHORITY_INFO_ACCESS);
  if (!extension) return [];
  const root = parse(extension.value, 'authority information access extension');
  const urls: string[] = [];
  for (const description of items(root)) {
    const [method, location] = items(description);
    if (method instanceof asn1js.ObjectIdentifier && method.valueBlock.toString() === OID_AD_OCSP && location) {
      const uri = uriOf(location);
      if (uri !== undefined) urls.push(uri);
    }
  }
  return urls;
}

/** CRL URLs from the CRL Distribution Points extension. */
export function crlUrls(extensions: readonly Extension[]): string[] {
  const extension = findExtension(extensions, OID_CRL_DISTRIBUTION_POINTS);
  return extension ? parseDistributionPointUris(extension.value) : [];
}

function integerExtension(extensions: readonly Extension[], oid: string, what: string): bigint | undefined {
  const extension = findExtension(extensions, oid);
  if (!extension) return undefined;
  const value = parse(extension.value, what);
  if (!(value instanceof asn1js.Integer)) throw new ExtensionError(`invalid ${what}`);
  const hex = Buffer.from(value.valueBlock.valueHexView).toString('hex');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** The CRL Number extension (RFC 5280 5.2.3). */
export function crlNumber(extensions: readonly Extension[]): bigint | undefined {
  return integerExtension(extensions, OID_CRL_NUMBER, 'CRL number extension');
}

/** The base CRL number a delta CRL is relative to (Delta CRL Indicator, RFC 5280 5.2.4). */
export function deltaCrlIndicator(extensions: readonly Extension[]): bigint | undefined {
  return integerExtension(extensions, OID_DELTA_CRL_INDICATOR, 'delta CRL indicator extension');
}
