// `imgverify config export`: a notation config dir (trustpolicy.oci.json + truststore/x509/) as the TrustPolicy and TrustStore manifests `serve` reads.
import { stringify } from 'yaml';
import { readNotationConfigDir } from '../../config/index.js';
import { loadTrustPolicy, NotaryError } from '../../notary/index.js';
import { notationConfigDir, processOutput, type CliOutput, type LogCliOptions } from '../flags.js';
import { reportError } from '../options.js';

export interface ConfigExportOptions extends LogCliOptions {
  configDir?: string;
  name: string;
}

/**
 * Multi-document YAML: one TrustStore per store the policy references (its certificates as a PEM
 * bundle), then the TrustPolicy named `name` holding the statements as written — what `serve
 * --local` loads from the same dir. The policy is validated as `verify` reads it first, and a store
 * that cannot be read is an error naming it.
 */
export async function exportNotationConfig(configDir: string, name: string): Promise<string> {
  await loadTrustPolicy(configDir);
  const { units } = await readNotationConfigDir(configDir, name);
  const manifests: unknown[] = [];
  for (const unit of units) {
    // The policy was read above: what cannot be read now is a trust store.
    if (unit.status === 'unreadable') throw new NotaryError('INVALID_TRUST_STORE', unit.message);
    manifests.push(...unit.documents.map((document) => document.value));
  }
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
