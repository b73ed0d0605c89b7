// `imgverify config export`: a notation config dir (trustpolicy.oci.json + truststore/x509/) as the TrustPolicy and TrustStore manifests `serve` reads.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { readTextFileLimited } from '../../common/index.js';
import { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE } from '../../config/index.js';
import { FileTrustStore, loadTrustPolicy, MAX_TRUST_POLICY_BYTES, TRUST_POLICY_FILES } from '../../notary/index.js';
import { toPem } from '../../pki/index.js';
import { CliError } from '../errors.js';
import { notationConfigDir, processOutput, type CliOutput, type LogCliOptions } from '../flags.js';
import { reportError } from '../options.js';

export interface ConfigExportOptions extends LogCliOptions {
  configDir?: string;
  name: string;
}

/** A Kubernetes object name (DNS-1123 subdomain) from a notation store name, which may hold `_` and capitals. */
function objectName(text: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name.slice(0, 253) || 'store';
}

/** The policy document as written (its JSON, not our parsed form), from the file notation reads. */
async function policyJson(configDir: string): Promise<{ version: unknown; trustPolicies: unknown }> {
  for (const file of TRUST_POLICY_FILES) {
    try {
      return JSON.parse(await readTextFileLimited(join(configDir, file), MAX_TRUST_POLICY_BYTES)) as { version: unknown; trustPolicies: unknown };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new CliError('USAGE', `${configDir} holds no trust policy`);
}

/**
 * Multi-document YAML: one TrustStore per store the policy references (its certificates as a PEM
 * bundle), then the TrustPolicy named `name` holding the statements as written. Every store and the
 * policy are validated as `verify` reads them first.
 */
export async function exportNotationConfig(configDir: string, name: string): Promise<string> {
  const document = await loadTrustPolicy(configDir);
  const stores = new FileTrustStore(configDir);
  const seen = new Set<string>();
  const names = new Set<string>();
  const manifests: unknown[] = [];
  for (const statement of document.trustPolicies) {
    for (const { type, name: storeName } of statement.trustStores) {
      const key = `${type}:${storeName}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const certificates = await stores.getCertificates(type, storeName);
      let metadataName = objectName(`${type}-${storeName}`);
      for (let n = 2; names.has(metadataName); n += 1) metadataName = objectName(`${type}-${storeName}-${n}`);
      names.add(metadataName);
      const caBundle = certificates.map((certificate) => toPem('CERTIFICATE', new Uint8Array(certificate.rawData))).join('');
      manifests.push({ apiVersion: API_VERSION, kind: KIND_TRUST_STORE, metadata: { name: metadataName }, spec: { trustStoreName: storeName, type, caBundle } });
    }
  }
  const written = await policyJson(configDir);
  manifests.push({ apiVersion: API_VERSION, kind: KIND_TRUST_POLICY, metadata: { name: objectName(name) }, spec: { version: written.version, trustPolicyName: name, trustPolicies: written.trustPolicies } });
  return manifests.map((manifest) => `---\n${stringify(manifest, { lineWidth: 0 })}`).join('');
}

export async function runConfigExport(options: ConfigExportOptions, deps: { output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    output.stdout(await exportNotationConfig(options.configDir ?? notationConfigDir(), options.name));
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
