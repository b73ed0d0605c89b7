// `imgverify convert`: Kyverno ClusterPolicy/Policy documents into our ClusterImageVerificationPolicy/ImageVerificationPolicy, by changing apiVersion and kind only.
import { isMap, isSeq, parseAllDocuments, type Document } from 'yaml';
import { CONVERTED_KIND, KYVERNO_GROUP, KYVERNO_POLICY_VERSIONS, POLICY_API_VERSION } from './constants.js';
import { WebhookError } from './errors.js';

export interface ConvertedPolicies {
  /** The converted documents as one YAML stream (comments and key order kept). */
  yaml: string;
  /** What the conversion could not carry: rules imgverify does not evaluate. */
  warnings: string[];
}

/** Rules of the policy without a verifyImages block (validate, mutate, generate): imgverify ignores them. */
function ignoredRules(document: Document.Parsed): string[] {
  const rules = document.getIn(['spec', 'rules']);
  if (!isSeq(rules)) return [];
  return rules.items.flatMap((rule, index) => {
    if (!isMap(rule) || rule.has('verifyImages')) return [];
    const name = rule.get('name');
    return [typeof name === 'string' ? name : `#${index}`];
  });
}

/**
 * Convert every document of `text` (from `origin`, for messages): a kyverno.io ClusterPolicy or
 * Policy becomes ours, one of ours passes unchanged, anything else is refused
 * (INVALID_POLICY_DOCUMENT naming the document). `status` is dropped: it is the old controller's.
 */
export function convertPolicies(text: string, origin: string): ConvertedPolicies {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) return { yaml: '', warnings: [] };
  const out: string[] = [];
  const warnings: string[] = [];
  documents.forEach((document, index) => {
    const where = `${origin}, document ${index + 1}`;
    if (document.errors.length > 0) throw new WebhookError('INVALID_POLICY_DOCUMENT', `${where}: not YAML: ${document.errors[0]?.message ?? ''}`);
    // Reading it as data bounds aliases (a billion laughs) and finds the empty documents between separators.
    if ((document.toJS({ maxAliasCount: 100 }) as unknown) == null) return;
    const apiVersion = document.get('apiVersion');
    const kind = document.get('kind');
    const name = document.getIn(['metadata', 'name']);
    const [group, version] = typeof apiVersion === 'string' ? apiVersion.split('/') : [];
    const ours = apiVersion === POLICY_API_VERSION && typeof kind === 'string' && Object.values(CONVERTED_KIND).includes(kind);
    const kyverno = group === KYVERNO_GROUP && version !== undefined && KYVERNO_POLICY_VERSIONS.includes(version) && typeof kind === 'string' && kind in CONVERTED_KIND;
    if (!ours && !kyverno) {
      throw new WebhookError(
        'INVALID_POLICY_DOCUMENT',
        `${where}: ${String(apiVersion)} ${String(kind)} is not a Kyverno policy (kyverno.io/${KYVERNO_POLICY_VERSIONS.join(' or ')} ClusterPolicy or Policy)`,
      );
    }
    if (kyverno) {
      document.set('apiVersion', POLICY_API_VERSION);
      document.set('kind', CONVERTED_KIND[kind] as string);
      document.delete('status');
    }
    const ignored = ignoredRules(document);
    if (ignored.length > 0) warnings.push(`${where} (${typeof name === 'string' ? name : '?'}): imgverify evaluates verifyImages rules only; rules without one are kept but ignored: ${ignored.join(', ')}`);
    out.push(document.toString({ lineWidth: 0 }));
  });
  return { yaml: out.join('---\n'), warnings };
}
