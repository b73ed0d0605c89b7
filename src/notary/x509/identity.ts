// Trusted identities of a trust policy statement (`*`, `x509.subject: <DN>`, plugin-defined) and matching a signing certificate to them.
import type { X509Certificate } from '@peculiar/x509';
import { LRUCache } from 'lru-cache';
import { NotaryError } from '../errors.js';
import { MAX_CACHED_TRUSTED_IDENTITIES } from './constants.js';
import { certificateSubject, isSubsetDistinguishedName, type DistinguishedName } from '../../pki/index.js';
import { parseDistinguishedName } from './dn.js';

/** A trusted identity that trusts any certificate chaining to the statement's trust stores. */
export const TRUSTED_IDENTITY_WILDCARD = '*';
/** Prefix of identities matched against the signing certificate's subject DN. */
export const X509_SUBJECT_PREFIX = 'x509.subject';

/** notation's message when no trusted identity matches (kept word for word; details follow it). */
export const UNTRUSTED_IDENTITY_MESSAGE =
  "the signature's certificate chain does not contain a certificate that matches any of the trusted identities";

export type TrustedIdentity =
  | { kind: 'wildcard'; raw: string }
  | { kind: 'x509.subject'; raw: string; name: DistinguishedName }
  /** Another `<prefix>:<value>` identity (e.g. an AWS Signer profile ARN) that a plugin evaluates. */
  | { kind: 'other'; raw: string; prefix: string; value: string };

/** Parses one trusted identity string; throws INVALID_TRUST_POLICY for a malformed one. */
export function parseTrustedIdentity(identity: string): TrustedIdentity {
  if (identity === TRUSTED_IDENTITY_WILDCARD) return { kind: 'wildcard', raw: identity };
  if (identity === '') throw new NotaryError('INVALID_TRUST_POLICY', 'a trusted identity is empty; use "*" or "x509.subject: C=..., ST=..., O=..."');
  const separator = identity.indexOf(':');
  if (separator < 0) {
    throw new NotaryError(
      'INVALID_TRUST_POLICY',
      `trusted identity "${identity}" has no "<type>:" prefix; write it as "x509.subject: C=..., ST=..., O=..."`,
    );
  }
  const prefix = identity.slice(0, separator);
  const value = identity.slice(separator + 1);
  if (prefix !== X509_SUBJECT_PREFIX) return { kind: 'other', raw: identity, prefix, value };
  if (value.trim() === '') {
    throw new NotaryError('INVALID_TRUST_POLICY', `trusted identity "${identity}" has no distinguished name after "${X509_SUBJECT_PREFIX}:"`);
  }
  // As notation, the identity is named as written: its value alone would be quoted with the space after "x509.subject:".
  return { kind: 'x509.subject', raw: identity, name: parseDistinguishedName(value, `trusted identity "${identity}" has an invalid distinguished name`) };
}

/** Trust policies are parsed once per configuration, but their identities are matched with every image. */
const parsedIdentities = new LRUCache<string, TrustedIdentity>({ max: MAX_CACHED_TRUSTED_IDENTITIES });

/** parseTrustedIdentity, kept by the identity's text (a parse failure is not kept). */
function parsedTrustedIdentity(identity: string): TrustedIdentity {
  let parsed = parsedIdentities.get(identity);
  if (!parsed) {
    parsed = parseTrustedIdentity(identity);
    parsedIdentities.set(identity, parsed);
  }
  return parsed;
}

/**
 * Checks the signing (leaf) certificate against a statement's trusted identities: `*` trusts any,
 * otherwise some `x509.subject` DN must be a subset of the leaf's subject (attribute order does not
 * matter, types are case-insensitive, values compare exactly). Returns the identity that matched;
 * throws UNTRUSTED_IDENTITY.
 */
export function matchTrustedIdentities(leaf: X509Certificate, trustedIdentities: readonly string[]): string {
  if (trustedIdentities.includes(TRUSTED_IDENTITY_WILDCARD)) return TRUSTED_IDENTITY_WILDCARD;
  const subjects = trustedIdentities
    .map((identity) => parsedTrustedIdentity(identity))
    .filter((identity): identity is Extract<TrustedIdentity, { kind: 'x509.subject' }> => identity.kind === 'x509.subject');
  if (subjects.length === 0) {
    throw new NotaryError(
      'UNTRUSTED_IDENTITY',
      `${UNTRUSTED_IDENTITY_MESSAGE}: the trust policy statement has no "*" or "${X509_SUBJECT_PREFIX}" trusted identities to match "${leaf.subject}"`,
    );
  }
  const subject = certificateSubject(leaf);
  if ('problem' in subject) {
    throw new NotaryError('UNTRUSTED_IDENTITY', `${UNTRUSTED_IDENTITY_MESSAGE}: signing certificate "${leaf.subject}": ${subject.problem}`);
  }
  const match = subjects.find((identity) => isSubsetDistinguishedName(identity.name, subject.name));
  if (match) return match.raw;
  throw new NotaryError(
    'UNTRUSTED_IDENTITY',
    `${UNTRUSTED_IDENTITY_MESSAGE}: signing certificate subject "${leaf.subject}" matches none of ${subjects
      .map((identity) => JSON.stringify(identity.raw))
      .join(', ')}; add its subject to trustedIdentities if it is trusted`,
  );
}
