// Keyless identity: the facts a Fulcio certificate states (SANs, OIDC issuer, Fulcio extensions) and the policy rules that judge them (cosign and Kyverno semantics).
import { isIP } from 'node:net';
import type { ASN1Obj, X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { RE2JS, RE2JSException } from 're2js';
import { wildcardMatch } from '../common/index.js';
import {
  FULCIO_EXTENSION_OIDS,
  FULCIO_RAW_VALUE_OIDS,
  MAX_IDENTITY_PATTERN_LENGTH,
  OID_FULCIO_ISSUER_V1,
  OID_FULCIO_ISSUER_V2,
} from './constants.js';
import { SigstoreError } from './errors.js';

export type SanKind = 'email' | 'uri' | 'dns' | 'ip' | 'othername';

export interface SubjectAlternativeName {
  readonly kind: SanKind;
  readonly value: string;
}

/** What a keyless certificate says about its signer. */
export interface CertificateIdentity {
  /** Every SAN, in certificate order. */
  readonly subjectAlternativeNames: readonly SubjectAlternativeName[];
  /** cosign's CertSubject: the first email, else the first URI, else the first otherName ('' when none). */
  readonly subject: string;
  /** The OIDC issuer: Fulcio's v2 extension (1.3.6.1.4.1.57264.1.8), else the v1 one (.1.1). */
  readonly issuer: string | undefined;
  /** Fulcio extensions present, by the names of FULCIO_EXTENSION_OIDS. */
  readonly extensions: Readonly<Record<string, string>>;
}

/**
 * Who may have signed. `subject` and `issuer` are Kyverno wildcards (`*`, `?`); the regular expressions
 * are RE2 and, as cosign's `regexp.MatchString`, match anywhere unless anchored. A field left out is not
 * checked; when both the exact and the regexp form of a field are given, both must hold.
 * `additionalExtensions` maps a Fulcio extension name (githubWorkflowTrigger, sourceRepositoryURI …) or a
 * dotted OID to a wildcard its value must match.
 */
export interface IdentityPolicy {
  subject?: string;
  subjectRegExp?: string;
  issuer?: string;
  issuerRegExp?: string;
  additionalExtensions?: Readonly<Record<string, string>>;
}

const SAN_TAGS: Readonly<Record<number, SanKind>> = { 0: 'othername', 1: 'email', 2: 'dns', 6: 'uri', 7: 'ip' };
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

export function certificateIdentity(certificate: SigstoreCertificate): CertificateIdentity {
  const subjectAlternativeNames = sans(certificate);
  const first = (kind: SanKind) => subjectAlternativeNames.find((san) => san.kind === kind)?.value;
  const extensions: Record<string, string> = {};
  for (const [name, oid] of Object.entries(FULCIO_EXTENSION_OIDS)) {
    const value = extensionValue(certificate, oid);
    if (value !== undefined) extensions[name] = value;
  }
  return {
    subjectAlternativeNames,
    subject: first('email') ?? first('uri') ?? first('othername') ?? '',
    issuer: extensionValue(certificate, OID_FULCIO_ISSUER_V2) ?? extensionValue(certificate, OID_FULCIO_ISSUER_V1),
    extensions,
  };
}

/** Throws UNTRUSTED_IDENTITY naming the first rule the identity breaks, SIGSTORE_POLICY_INVALID for a policy that cannot be applied. */
export function checkIdentity(identity: CertificateIdentity, policy: IdentityPolicy, certificate: SigstoreCertificate): void {
  const names = identity.subjectAlternativeNames.map((san) => san.value);
  const shown = names.length === 0 ? 'no SAN' : names.map((name) => JSON.stringify(name)).join(', ');
  if (policy.subject !== undefined && policy.subject !== '' && !names.some((name) => wildcardMatch(policy.subject ?? '', name))) {
    throw new SigstoreError('UNTRUSTED_IDENTITY', `certificate identity: subject ${JSON.stringify(policy.subject)} matches none of the certificate's SANs (${shown})`);
  }
  if (policy.subjectRegExp !== undefined && policy.subjectRegExp !== '') {
    const regexp = compile('subjectRegExp', policy.subjectRegExp);
    if (!names.some((name) => regexp.matcher(name).find())) {
      throw new SigstoreError('UNTRUSTED_IDENTITY', `certificate identity: subjectRegExp ${JSON.stringify(policy.subjectRegExp)} matches none of the certificate's SANs (${shown})`);
    }
  }
  const issuer = identity.issuer;
  if (policy.issuer !== undefined && policy.issuer !== '' && (issuer === undefined || !wildcardMatch(policy.issuer, issuer))) {
    throw new SigstoreError('UNTRUSTED_IDENTITY', `certificate identity: issuer ${JSON.stringify(policy.issuer)} does not match the certificate's OIDC issuer ${issuerText(issuer)}`);
  }
  if (policy.issuerRegExp !== undefined && policy.issuerRegExp !== '') {
    const regexp = compile('issuerRegExp', policy.issuerRegExp);
    if (issuer === undefined || !regexp.matcher(issuer).find()) {
      throw new SigstoreError('UNTRUSTED_IDENTITY', `certificate identity: issuerRegExp ${JSON.stringify(policy.issuerRegExp)} does not match the certificate's OIDC issuer ${issuerText(issuer)}`);
    }
  }
  for (const [key, expected] of Object.entries(policy.additionalExtensions ?? {})) {
    const oid = extensionOid(key);
    const value = extensionValue(certificate, oid);
    if (value === undefined || !wildcardMatch(expected, value)) {
      throw new SigstoreError(
        'UNTRUSTED_IDENTITY',
        `certificate identity: extension ${key} (${oid}) must match ${JSON.stringify(expected)}, the certificate has ${value === undefined ? 'none' : JSON.stringify(value)}`,
      );
    }
  }
}

/**
 * cosign's --certificate-identity / --certificate-oidc-issuer (and the conformance protocol's): exact strings, so a
 * `*` in them is a character, not Kyverno's wildcard; written as anchored, quoted RE2 patterns.
 */
export function exactIdentity(identity: { subject?: string; issuer?: string }): IdentityPolicy {
  const exact = (value: string) => `^${RE2JS.quote(value)}$`;
  return {
    ...(identity.subject === undefined ? {} : { subjectRegExp: exact(identity.subject) }),
    ...(identity.issuer === undefined ? {} : { issuerRegExp: exact(identity.issuer) }),
  };
}

/** Check a policy's patterns and extension names before any certificate is seen (a policy error is a usage error, not a rejection). */
export function validateIdentityPolicy(policy: IdentityPolicy): void {
  if (policy.subjectRegExp) compile('subjectRegExp', policy.subjectRegExp);
  if (policy.issuerRegExp) compile('issuerRegExp', policy.issuerRegExp);
  for (const key of Object.keys(policy.additionalExtensions ?? {})) extensionOid(key);
}

function issuerText(issuer: string | undefined): string {
  return issuer === undefined ? '(none: no Fulcio issuer extension)' : JSON.stringify(issuer);
}

function compile(field: string, pattern: string): RE2JS {
  if (pattern.length > MAX_IDENTITY_PATTERN_LENGTH) {
    throw new SigstoreError('SIGSTORE_POLICY_INVALID', `${field} is ${pattern.length} characters, more than the limit of ${MAX_IDENTITY_PATTERN_LENGTH}`);
  }
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    const reason = err instanceof RE2JSException ? err.message : String(err);
    throw new SigstoreError('SIGSTORE_POLICY_INVALID', `${field} ${JSON.stringify(pattern)} is not a valid RE2 regular expression: ${reason}`, { cause: err });
  }
}

function extensionOid(key: string): string {
  const named = Object.hasOwn(FULCIO_EXTENSION_OIDS, key) ? FULCIO_EXTENSION_OIDS[key] : undefined;
  if (named !== undefined) return named;
  if (/^[0-2](\.(0|[1-9][0-9]{0,9})){1,31}$/.test(key)) return key;
  throw new SigstoreError(
    'SIGSTORE_POLICY_INVALID',
    `additionalExtensions key ${JSON.stringify(key)} is neither a Fulcio extension name (${Object.keys(FULCIO_EXTENSION_OIDS).join(', ')}) nor a dotted OID`,
  );
}

/** An extension's text: raw bytes for Fulcio's v1 extensions, the DER string for the rest. */
function extensionValue(certificate: SigstoreCertificate, oid: string): string | undefined {
  const extension = certificate.extension(oid);
  if (!extension) return undefined;
  if (FULCIO_RAW_VALUE_OIDS.has(oid)) return extension.value.toString('utf8');
  // extnValue's content, when it parses as DER, is the string itself; else take the raw bytes.
  const inner = extension.valueObj.subs[0];
  return inner !== undefined && inner.subs.length === 0 ? inner.value.toString('utf8') : extension.value.toString('utf8');
}

function sans(certificate: SigstoreCertificate): SubjectAlternativeName[] {
  const extension = certificate.extension(OID_SUBJECT_ALT_NAME);
  if (!extension) return [];
  const names: SubjectAlternativeName[] = [];
  for (const name of extension.valueObj.subs[0]?.subs ?? []) {
    if (!name.tag.isContextSpecific()) continue;
    const kind = SAN_TAGS[name.tag.number];
    if (kind === undefined) continue;
    const value = kind === 'othername' ? otherNameValue(name) : kind === 'ip' ? ipText(name.value) : name.value.toString('utf8');
    if (value !== undefined) names.push({ kind, value });
  }
  return names;
}

/** otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }; Fulcio's is a UTF8String. */
function otherNameValue(name: ASN1Obj): string | undefined {
  const value = name.subs[1]?.subs[0];
  return value === undefined ? undefined : value.value.toString('utf8');
}

function ipText(bytes: Buffer): string | undefined {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const text = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':');
    return isIP(text) ? text : undefined;
  }
  return undefined;
}
