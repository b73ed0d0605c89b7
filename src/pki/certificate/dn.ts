// Distinguished names as certificates carry them (read from the DER, not a printed form), and attribute types spelled one way.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeBer } from '../asn1.js';
import type { X509Certificate } from '@peculiar/x509';
import { recordOf } from './cache.js';

/** Attribute type → value. Types are canonical upper-case names (or dotted OIDs); values are compared exactly. */
export type DistinguishedName = ReadonlyMap<string, string>;

/**
 * Attribute type names by OID: the ones Go's pkix.Name prints (what notation matches against), plus a
 * few common ones so a policy may name them instead of writing dotted OIDs.
 */
const NAME_BY_OID: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.5', 'SERIALNUMBER'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.9', 'STREET'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.17', 'POSTALCODE'],
  ['1.2.840.113549.1.9.1', 'EMAILADDRESS'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
]);

/** Other spellings of the same attribute types (`S` for stateOrProvinceName is the spec's own). */
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['S', 'ST'],
  ['E', 'EMAILADDRESS'],
]);

const KNOWN_TYPES: ReadonlySet<string> = new Set([...NAME_BY_OID.values()]);

/** A dotted attribute type OID such as `2.5.4.3`. */
export const NUMERIC_OID = /^[0-9]+(\.[0-9]+)+$/;

/** The canonical spelling of an attribute type (upper case, aliases resolved, OIDs of known types named). */
export function canonicalAttributeType(type: string): string {
  if (NUMERIC_OID.test(type)) return NAME_BY_OID.get(type) ?? type;
  const upper = type.toUpperCase();
  return TYPE_ALIASES.get(upper) ?? upper;
}

/** Whether the attribute type is one a certificate subject can be matched on by name. */
export function isKnownAttributeType(type: string): boolean {
  return KNOWN_TYPES.has(type) || NUMERIC_OID.test(type);
}

/** True when every attribute of `subset` has the same value in `superset` (attribute order does not matter). */
export function isSubsetDistinguishedName(subset: DistinguishedName, superset: DistinguishedName): boolean {
  for (const [type, value] of subset) {
    if (superset.get(type) !== value) return false;
  }
  return true;
}

export type CertificateSubject = { name: DistinguishedName } | { problem: string };

/**
 * The subject of a certificate as a DistinguishedName, read from its DER (not from a printed form,
 * so escaping cannot confuse it). Returns a reason instead when the subject cannot be matched the way
 * notation matches it: a multi-valued RDN or an attribute type that appears twice.
 */
export function certificateSubject(certificate: X509Certificate): CertificateSubject {
  // Kept in the certificate's record: a signer's subject is read once, not per image.
  const record = recordOf(certificate);
  record.subject ??= readCertificateSubject(certificate);
  return record.subject;
}

function readCertificateSubject(certificate: X509Certificate): CertificateSubject {
  const asn = pkijs.Certificate.fromBER(new Uint8Array(certificate.rawData));
  const attributes = new Map<string, string>();
  // pkijs flattens multi-valued RDNs; count the SETs of the raw RDNSequence to see them.
  if (asn.subject.typesAndValues.length !== rdnCount(asn.subject)) {
    return { problem: 'its subject has a multi-valued RDN, which trusted identities cannot match' };
  }
  for (const attribute of asn.subject.typesAndValues) {
    const type = canonicalAttributeType(attribute.type);
    const value = attributeValueText(attribute);
    if (value === undefined) return { problem: `its subject attribute ${type} is not a string` };
    if (attributes.has(type)) return { problem: `its subject has attribute ${type} more than once, which trusted identities cannot match` };
    attributes.set(type, value);
  }
  return { name: attributes };
}

function rdnCount(name: pkijs.RelativeDistinguishedNames): number {
  const parsed = decodeBer(new Uint8Array(name.valueBeforeDecode));
  return parsed.ok && parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value.length : -1;
}

function attributeValueText(attribute: pkijs.AttributeTypeAndValue): string | undefined {
  const block = attribute.value as { valueBlock?: { value?: unknown } };
  const value = block.valueBlock?.value;
  return typeof value === 'string' ? value : undefined;
}

/** The attribute types Go's pkix.Name.String() prints by name (others print as dotted OIDs). */
const GO_NAME_BY_OID: ReadonlyMap<string, string> = new Map(
  ['2.5.4.3', '2.5.4.5', '2.5.4.6', '2.5.4.7', '2.5.4.8', '2.5.4.9', '2.5.4.10', '2.5.4.11', '2.5.4.17'].map((oid) => [oid, NAME_BY_OID.get(oid) as string]),
);

/** RFC 2253 escaping as Go's pkix writes it: `,+"\<>;` anywhere, `#` or a space first, a space last. */
function escapeGoValue(value: string): string {
  let escaped = value.replace(/[,+"\\<>;]/g, (char) => `\\${char}`);
  if (escaped.startsWith('#') || escaped.startsWith(' ')) escaped = `\\${escaped}`;
  if (escaped.endsWith(' ') && !escaped.endsWith('\\ ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}

/**
 * A certificate's subject or issuer as notation prints it (Go's pkix.Name.String(), RFC 2253):
 * last RDN first, `,` between, `CN=test,O=Notary,L=Seattle,ST=WA,C=US`. Multi-valued RDNs print
 * as separate attributes, and a type Go does not name prints as `OID=value` (Go writes `OID=#hex`).
 */
export function distinguishedNameLikeGo(certificate: X509Certificate, which: 'subject' | 'issuer'): string {
  const asn = pkijs.Certificate.fromBER(new Uint8Array(certificate.rawData));
  const name = which === 'subject' ? asn.subject : asn.issuer;
  return [...name.typesAndValues]
    .reverse()
    .map((attribute) => `${GO_NAME_BY_OID.get(attribute.type) ?? attribute.type}=${escapeGoValue(attributeValueText(attribute) ?? '')}`)
    .join(',');
}
