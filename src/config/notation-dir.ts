// A notation config dir (trustpolicy.oci.json + truststore/x509/) read as TrustPolicy/TrustStore documents: what `serve --local` loads and `config export` prints.
import { createHash } from 'node:crypto';
import { jsonSyntaxErrorWhere } from '../common/index.js';
import { FileTrustStore, readTrustPolicyText, TRUST_STORE_DIR, TRUST_STORE_TYPES, X509_TRUST_STORE_DIR, type TrustStoreType } from '../notary/index.js';
import { toPem } from '../pki/index.js';
import { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE } from './constants.js';
import { ConfigError } from './errors.js';
import type { ResourceOrigin, SourceUnit } from './origin.js';
import type { SourceRead } from './source-base.js';

/** The TrustPolicy a notation dir becomes is named this unless told otherwise (`config export --name`, DEFAULT_TRUST_POLICY). */
export const NOTATION_TRUST_POLICY_NAME = 'notation';

/** A Kubernetes object name (DNS-1123 subdomain) from a notation name, which may hold `_` and capitals. */
export function notationObjectName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name.slice(0, 253) || 'store';
}

/** `ca:name` references of the statements as written; what is no reference is left to the TrustPolicy's validation. */
function referencedStores(policy: unknown): { type: TrustStoreType; name: string }[] {
  const statements = (policy as { trustPolicies?: unknown } | null)?.trustPolicies;
  const seen = new Map<string, { type: TrustStoreType; name: string }>();
  if (!Array.isArray(statements)) return [];
  for (const statement of statements) {
    const stores = (statement as { trustStores?: unknown } | null)?.trustStores;
    if (!Array.isArray(stores)) continue;
    for (const reference of stores) {
      if (typeof reference !== 'string') continue;
      const colon = reference.indexOf(':');
      const type = reference.slice(0, colon) as TrustStoreType;
      const name = reference.slice(colon + 1);
      if (colon > 0 && name !== '' && TRUST_STORE_TYPES.includes(type)) seen.set(reference, { type, name });
    }
  }
  return [...seen.values()];
}

/**
 * Every unit of the notation dir afresh: the policy file (notation's order: trustpolicy.oci.json,
 * else trustpolicy.json) as one TrustPolicy named `trustPolicyName` holding the statements as
 * written, and each trust store it references as one TrustStore read with notation's rules
 * (regular files only, PEM or DER, CA certificates, bounded), or, when it breaks them, an
 * unreadable unit naming why. A dir without a policy file cannot be read at all (ConfigError).
 */
export async function readNotationConfigDir(dir: string, trustPolicyName: string): Promise<SourceRead & { fingerprint: string }> {
  let policy;
  try {
    policy = await readTrustPolicyText(dir);
  } catch (err) {
    throw new ConfigError('CONFIG_DIR_UNREADABLE', err instanceof Error ? err.message : String(err), { cause: err });
  }
  const hash = createHash('sha256').update(`${policy.file}\0${policy.text}\0`);
  const policyOrigin: ResourceOrigin = { kind: 'file', path: policy.file };
  let written: unknown;
  try {
    written = JSON.parse(policy.text);
  } catch (err) {
    return { units: [{ origin: policyOrigin, status: 'unreadable', message: `is not valid JSON${jsonSyntaxErrorWhere(policy.text)} (${(err as Error).message}); fix the syntax` }], fingerprint: hash.digest('hex') };
  }
  const units: SourceUnit[] = [];
  const store = new FileTrustStore(dir);
  const names = new Set<string>();
  for (const { type, name } of referencedStores(written)) {
    const origin: ResourceOrigin = { kind: 'file', path: `${TRUST_STORE_DIR}/${X509_TRUST_STORE_DIR}/${type}/${name}` };
    let caBundle: string;
    try {
      const certificates = await store.getCertificates(type, name);
      caBundle = certificates.map((certificate) => toPem('CERTIFICATE', new Uint8Array(certificate.rawData))).join('');
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      hash.update(`${origin.path}\0!${message}\0`);
      units.push({ origin, status: 'unreadable', message });
      continue;
    }
    hash.update(`${origin.path}\0${caBundle}\0`);
    let metadataName = notationObjectName(`${type}-${name}`);
    for (let n = 2; names.has(metadataName); n += 1) metadataName = notationObjectName(`${type}-${name}-${n}`);
    names.add(metadataName);
    const value = { apiVersion: API_VERSION, kind: KIND_TRUST_STORE, metadata: { name: metadataName }, spec: { trustStoreName: name, type, caBundle } };
    units.push({ origin, status: 'parsed', documents: [{ origin, value }] });
  }
  const fields = (written ?? {}) as { version?: unknown; trustPolicies?: unknown };
  const value = {
    apiVersion: API_VERSION,
    kind: KIND_TRUST_POLICY,
    metadata: { name: notationObjectName(trustPolicyName) },
    spec: { version: fields.version, trustPolicyName, trustPolicies: fields.trustPolicies },
  };
  units.push({ origin: policyOrigin, status: 'parsed', documents: [{ origin: policyOrigin, value }] });
  return { units, fingerprint: hash.update(trustPolicyName).digest('hex') };
}
