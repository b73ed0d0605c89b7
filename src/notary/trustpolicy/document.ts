// Parses and validates an OCI trust policy document against every rule of trust-store-trust-policy.md, with messages naming statement and field.
import { jsonSyntaxErrorWhere } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import type { ValidationAction, ValidationType, VerificationLevelName } from '../types.js';
import { isTrustStoreType, isValidTrustStoreName, type TrustStoreReference } from '../truststore/index.js';
import { isKnownAttributeType, isSubsetDistinguishedName } from '../../pki/index.js';
import { parseTrustedIdentity, TRUSTED_IDENTITY_WILDCARD, X509_SUBJECT_PREFIX } from '../x509/index.js';
import {
  GLOBAL_REGISTRY_SCOPE,
  MAX_STATEMENT_LIST_LENGTH,
  MAX_TRUST_POLICY_STATEMENTS,
  SUPPORTED_TRUST_POLICY_VERSIONS,
} from './constants.js';
import { CUSTOMIZABLE_LEVELS, OVERRIDE_ACTIONS, VALIDATION_ACTIONS, VALIDATION_TYPES, VERIFICATION_LEVEL_NAMES } from './levels.js';
import { registryScopeProblem } from './scope.js';
import {
  VERIFY_TIMESTAMP_VALUES,
  type SignatureVerificationConfig,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type TrustPolicyWarning,
  type VerifyTimestamp,
} from './types.js';

const DOCUMENT_FIELDS = new Set(['version', 'trustPolicies']);
const STATEMENT_FIELDS = new Set(['name', 'registryScopes', 'signatureVerification', 'trustStores', 'trustedIdentities']);
const SIGNATURE_VERIFICATION_FIELDS = new Set(['level', 'override', 'verifyTimestamp']);

type JsonObject = Record<string, unknown>;

/**
 * INVALID_TRUST_POLICY with where it is as data: `field`, the JSON path in the document
 * (`trustPolicies[0].registryScopes[0]`; empty for the document itself) and `problem`, the message
 * without the prefix, so a reader with its own location (the service's `spec.` of a TrustPolicy)
 * can name the field without repeating the source.
 */
export class TrustPolicyFieldError extends NotaryError {
  constructor(
    readonly field: string,
    readonly problem: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_TRUST_POLICY', message, options);
  }
}

/** Collects warnings and turns problems into INVALID_TRUST_POLICY errors that name where they are. */
class Checker {
  readonly warnings: TrustPolicyWarning[] = [];
  /** Statement name → index, as statements are read: what turns `statement "a"` into `trustPolicies[0]`. */
  readonly statementIndex = new Map<string, number>();
  constructor(private readonly source: string | undefined) {}

  fail(where: string, problem: string, cause?: unknown): never {
    const origin = this.source ? ` ${this.source}` : '';
    throw new TrustPolicyFieldError(this.path(where), problem, `invalid trust policy${origin}: ${where}: ${problem}`, cause === undefined ? undefined : { cause });
  }

  /** `statement "a": signatureVerification.level` → `trustPolicies[0].signatureVerification.level`; `statement #2` → `trustPolicies[1]`. */
  path(where: string): string {
    if (where === 'document') return '';
    const match = /^statement (?:#(\d+)|"((?:[^"\\]|\\.)*)")(?:: (.*))?$/.exec(where);
    if (!match) return where;
    const index = match[1] !== undefined ? Number(match[1]) - 1 : this.statementIndex.get(match[2] as string);
    if (index === undefined) return 'trustPolicies';
    return `trustPolicies[${index}]${match[3] ? `.${match[3]}` : ''}`;
  }

  /** A warning named in its message by `where`, located at `field` (the path of `where` unless more exact). */
  warn(where: string, problem: string, field = this.path(where)): void {
    this.warnings.push({ field, problem, message: `${where}: ${problem}` });
  }

  unknownFields(where: string, value: JsonObject, known: ReadonlySet<string>): void {
    const base = this.path(where);
    for (const field of Object.keys(value)) {
      // notation (Go's encoding/json) ignores unknown fields; so do we, but say so.
      if (!known.has(field)) this.warn(where, `unknown field "${field}" is ignored`, base === '' ? field : `${base}.${field}`);
    }
  }
}

/**
 * Parses a trust policy document (the JSON value of `trustpolicy.oci.json` / `trustpolicy.json`)
 * and validates every rule of the spec. Throws NotaryError INVALID_TRUST_POLICY with a message
 * naming the statement and the field.
 */
export function parseTrustPolicyDocument(json: unknown, source?: string): TrustPolicyDocument {
  const checker: Checker = new Checker(source);
  if (!isObject(json)) checker.fail('document', 'must be a JSON object with "version" and "trustPolicies"');
  checker.unknownFields('document', json, DOCUMENT_FIELDS);
  return buildDocument(checker, json.version, json.trustPolicies, source);
}

/**
 * The same validation for statements held elsewhere, e.g. the service's TrustPolicy resource
 * (`spec.version`, `spec.trustPolicies[]`).
 */
export function parseTrustPolicyStatements(statements: unknown, version: unknown, source?: string): TrustPolicyDocument {
  return buildDocument(new Checker(source), version, statements, source);
}

/** Parses trust policy JSON text; malformed JSON is INVALID_TRUST_POLICY. */
export function parseTrustPolicyJson(text: string, source?: string): TrustPolicyDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    new Checker(source).fail('document', `is not valid JSON${jsonSyntaxErrorWhere(text)} (${(err as Error).message}); fix the syntax`, err);
  }
  return parseTrustPolicyDocument(json, source);
}

function buildDocument(checker: Checker, version: unknown, statements: unknown, source: string | undefined): TrustPolicyDocument {
  if (version === undefined || version === null || version === '') checker.fail('version', 'is missing; set "version": "1.0"');
  if (typeof version !== 'string') checker.fail('version', `must be a string such as "1.0", not ${describe(version)}`);
  if (!SUPPORTED_TRUST_POLICY_VERSIONS.includes(version)) {
    checker.fail('version', `"${version}" is not supported; use ${SUPPORTED_TRUST_POLICY_VERSIONS.map((v) => `"${v}"`).join(' or ')}`);
  }
  if (statements === undefined || statements === null) checker.fail('trustPolicies', 'is missing; add at least one trust policy statement');
  if (!Array.isArray(statements)) checker.fail('trustPolicies', `must be an array of statements, not ${describe(statements)}`);
  if (statements.length === 0) checker.fail('trustPolicies', 'is empty; add at least one trust policy statement');
  if (statements.length > MAX_TRUST_POLICY_STATEMENTS) {
    checker.fail('trustPolicies', `has ${statements.length} statements, more than the limit of ${MAX_TRUST_POLICY_STATEMENTS}`);
  }
  const parsed = statements.map((statement: unknown, index) => parseStatement(checker, statement, index));
  checkUniqueNames(checker, parsed);
  checkUniqueScopes(checker, parsed);
  return { version, trustPolicies: parsed, ...(source !== undefined && { source }), warnings: checker.warnings };
}

function parseStatement(checker: Checker, value: unknown, index: number): TrustPolicyStatement {
  const position = `statement #${index + 1}`;
  if (!isObject(value)) checker.fail(position, `must be an object, not ${describe(value)}`);
  const { name } = value;
  if (name === undefined || name === null || name === '') checker.fail(`${position}: name`, 'is missing; every statement needs a unique name');
  if (typeof name !== 'string') checker.fail(`${position}: name`, `must be a string, not ${describe(name)}`);
  const where = `statement "${name}"`;
  if (!checker.statementIndex.has(name)) checker.statementIndex.set(name, index);
  checker.unknownFields(where, value, STATEMENT_FIELDS);

  const signatureVerification = parseSignatureVerification(checker, where, value.signatureVerification);
  const registryScopes = parseRegistryScopes(checker, where, value.registryScopes);
  if (signatureVerification.level === 'skip' && registryScopes.includes(GLOBAL_REGISTRY_SCOPE)) {
    // The spec says skip cannot be used with "*"; notation accepts it (its own e2e tests do), so we warn instead.
    checker.warn(where, 'level "skip" with the global scope "*" turns off verification for every repository without a statement of its own', checker.path(`${where}: signatureVerification.level`));
  }
  const trustStores = optionalStringList(checker, `${where}: trustStores`, value.trustStores);
  const trustedIdentities = optionalStringList(checker, `${where}: trustedIdentities`, value.trustedIdentities);
  if (signatureVerification.level === 'skip') {
    if (trustStores.length > 0 || trustedIdentities.length > 0) {
      checker.fail(
        where,
        'level "skip" verifies nothing, so it must not configure trustStores or trustedIdentities; remove them (or choose another level)',
      );
    }
    return { name, registryScopes, signatureVerification, trustStores: [], trustedIdentities: [] };
  }
  if (trustStores.length === 0) {
    checker.fail(`${where}: trustStores`, `is missing; level "${signatureVerification.level}" needs at least one trust store such as "ca:<name>"`);
  }
  if (trustedIdentities.length === 0) {
    checker.fail(`${where}: trustedIdentities`, `is missing; level "${signatureVerification.level}" needs trusted identities ("*" or "x509.subject: ...")`);
  }
  const references = trustStores.map((store, index) => parseTrustStoreReference(checker, `${where}: trustStores[${index}]`, store));
  if (!references.some((reference) => reference.type !== 'tsa')) {
    checker.warn(`${where}: trustStores`, 'names only tsa stores; signatures cannot be authenticated without a ca or signingAuthority store');
  }
  checkTrustedIdentities(checker, `${where}: trustedIdentities`, trustedIdentities);
  return { name, registryScopes, signatureVerification, trustStores: references, trustedIdentities };
}

function parseSignatureVerification(checker: Checker, where: string, value: unknown): SignatureVerificationConfig {
  const field = `${where}: signatureVerification`;
  const levels = VERIFICATION_LEVEL_NAMES.join(', ');
  if (value === undefined || value === null) checker.fail(field, `is missing; set {"level": ...} with one of ${levels}`);
  if (!isObject(value)) checker.fail(field, `must be an object with "level", not ${describe(value)}`);
  checker.unknownFields(field, value, SIGNATURE_VERIFICATION_FIELDS);
  const { level } = value;
  if (level === undefined || level === null || level === '') checker.fail(`${field}.level`, `is missing; use one of ${levels}`);
  if (typeof level !== 'string' || !(VERIFICATION_LEVEL_NAMES as readonly string[]).includes(level)) {
    checker.fail(`${field}.level`, `${describe(level)} is not a verification level; use one of ${levels}`);
  }
  const verificationLevel = level as VerificationLevelName;
  const override = parseOverride(checker, `${field}.override`, verificationLevel, value.override);
  let verifyTimestamp: VerifyTimestamp = 'always';
  if (value.verifyTimestamp !== undefined && value.verifyTimestamp !== null) {
    if (!(VERIFY_TIMESTAMP_VALUES as readonly unknown[]).includes(value.verifyTimestamp)) {
      checker.fail(`${field}.verifyTimestamp`, `${describe(value.verifyTimestamp)} is not supported; use ${VERIFY_TIMESTAMP_VALUES.join(' or ')}`);
    }
    verifyTimestamp = value.verifyTimestamp as VerifyTimestamp;
  }
  return { level: verificationLevel, override, verifyTimestamp };
}

function parseOverride(
  checker: Checker,
  field: string,
  level: VerificationLevelName,
  value: unknown,
): Partial<Record<ValidationType, ValidationAction>> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) checker.fail(field, `must be an object of validation type to action, not ${describe(value)}`);
  const entries = Object.entries(value);
  if (entries.length === 0) return {};
  if (!CUSTOMIZABLE_LEVELS.includes(level)) {
    checker.fail(field, `level "${level}" cannot be customized; remove the override or use ${CUSTOMIZABLE_LEVELS.join(', ')}`);
  }
  const override: Partial<Record<ValidationType, ValidationAction>> = {};
  for (const [type, action] of entries) {
    if (!(VALIDATION_TYPES as readonly string[]).includes(type)) {
      checker.fail(`${field}.${type}`, `"${type}" is not a validation type; use ${VALIDATION_TYPES.filter((t) => t !== 'integrity').join(', ')}`);
    }
    const validationType = type as ValidationType;
    if (validationType === 'integrity') checker.fail(`${field}.integrity`, 'integrity validation cannot be overridden; remove it');
    if (typeof action !== 'string' || !(VALIDATION_ACTIONS as readonly string[]).includes(action)) {
      checker.fail(`${field}.${type}`, `${describe(action)} is not a validation action; use ${OVERRIDE_ACTIONS[validationType].join(' or ')}`);
    }
    const validationAction = action as ValidationAction;
    if (!OVERRIDE_ACTIONS[validationType].includes(validationAction)) {
      checker.fail(`${field}.${type}`, `"${type}" cannot be set to "${action}"; use ${OVERRIDE_ACTIONS[validationType].join(' or ')}`);
    }
    override[validationType] = validationAction;
  }
  return override;
}

function parseRegistryScopes(checker: Checker, where: string, value: unknown): string[] {
  const field = `${where}: registryScopes`;
  const scopes = optionalStringList(checker, field, value);
  if (scopes.length === 0) checker.fail(field, 'is missing or empty; list the registry/repository scopes it applies to, or "*"');
  if (scopes.includes(GLOBAL_REGISTRY_SCOPE) && scopes.length > 1) {
    checker.fail(field, 'the global scope "*" cannot be used together with other scopes; use "*" alone or list repositories');
  }
  const seen = new Set<string>();
  for (const [index, scope] of scopes.entries()) {
    if (scope !== GLOBAL_REGISTRY_SCOPE) {
      const problem = registryScopeProblem(scope);
      if (problem) checker.fail(`${field}[${index}]`, problem);
    }
    if (seen.has(scope)) checker.fail(`${field}[${index}]`, `scope "${scope}" is listed twice`);
    seen.add(scope);
  }
  return scopes;
}

function parseTrustStoreReference(checker: Checker, field: string, value: string): TrustStoreReference {
  const separator = value.indexOf(':');
  if (separator < 0) checker.fail(field, `"${value}" is malformed; the format is <type>:<name>, e.g. "ca:acme-rockets"`);
  const type = value.slice(0, separator);
  const name = value.slice(separator + 1);
  if (!isTrustStoreType(type)) checker.fail(field, `"${value}" uses unsupported trust store type "${type}"; use ca, signingAuthority or tsa`);
  if (!isValidTrustStoreName(name)) {
    checker.fail(field, `"${value}" uses invalid trust store name "${name}"; names must match [a-zA-Z0-9_.-]+`);
  }
  return { type, name };
}

function checkTrustedIdentities(checker: Checker, field: string, identities: readonly string[]): void {
  if (identities.includes(TRUSTED_IDENTITY_WILDCARD) && identities.length > 1) {
    checker.fail(field, 'the wildcard "*" cannot be used together with other identities; use "*" alone or list identities');
  }
  const subjects = [];
  for (const [index, identity] of identities.entries()) {
    let parsed;
    try {
      parsed = parseTrustedIdentity(identity);
    } catch (err) {
      checker.fail(`${field}[${index}]`, (err as Error).message, err);
    }
    if (parsed.kind === 'other' && parsed.prefix.toLowerCase() === X509_SUBJECT_PREFIX) {
      checker.warn(field, `"${identity}" is not an x509.subject identity (the prefix is case-sensitive); write "${X509_SUBJECT_PREFIX}:"`, checker.path(`${field}[${index}]`));
    }
    if (parsed.kind !== 'x509.subject') continue;
    for (const type of parsed.name.keys()) {
      if (!isKnownAttributeType(type)) checker.warn(field, `"${identity}" uses attribute type ${type}, which no certificate subject carries by that name`, checker.path(`${field}[${index}]`));
    }
    subjects.push(parsed);
  }
  // Overlap (the spec): two DNs overlap when some certificate could match both, i.e. one is a subset of the other.
  for (const [i, first] of subjects.entries()) {
    for (const [j, second] of subjects.entries()) {
      if (i !== j && isSubsetDistinguishedName(first.name, second.name)) {
        checker.fail(field, `"${first.raw}" overlaps with "${second.raw}" (a certificate matching one can match both); remove one`);
      }
    }
  }
}

function checkUniqueNames(checker: Checker, statements: readonly TrustPolicyStatement[]): void {
  const first = new Map<string, number>();
  statements.forEach((statement, index) => {
    const earlier = first.get(statement.name);
    if (earlier !== undefined) {
      checker.fail(
        `statement "${statement.name}": name`,
        `is used by statements #${earlier + 1} and #${index + 1}; statement names must be unique`,
      );
    }
    first.set(statement.name, index);
  });
}

function checkUniqueScopes(checker: Checker, statements: readonly TrustPolicyStatement[]): void {
  const owner = new Map<string, string>();
  for (const statement of statements) {
    for (const scope of statement.registryScopes) {
      const other = owner.get(scope);
      if (other !== undefined) {
        checker.fail(
          `statement "${statement.name}": registryScopes`,
          `scope "${scope}" is also in statement "${other}"; a registry scope can belong to one statement only`,
        );
      }
      owner.set(scope, statement.name);
    }
  }
}

/** A list of strings; absent or null (Go's nil slice) is empty. */
function optionalStringList(checker: Checker, field: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) checker.fail(field, `must be an array of strings, not ${describe(value)}`);
  if (value.length > MAX_STATEMENT_LIST_LENGTH) checker.fail(field, `has ${value.length} entries, more than the limit of ${MAX_STATEMENT_LIST_LENGTH}`);
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string') checker.fail(`${field}[${index}]`, `must be a string, not ${describe(entry)}`);
    if (entry === '') checker.fail(`${field}[${index}]`, 'is empty');
    return entry;
  });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
