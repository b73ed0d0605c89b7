// `imgverify policy import | show`: notation's OCI trust policy file, trustpolicy.oci.json in the notation config dir.
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileLimited, readTextFileLimited } from '../../common/index.js';
import { MAX_TRUST_POLICY_BYTES, parseTrustPolicyJson, TRUST_POLICY_FILE_LEGACY, TRUST_POLICY_FILE_OCI } from '../../notary/index.js';
import { CliError } from '../errors.js';
import { notationConfigDir, processOutput, type CliOutput, type LogCliOptions } from '../flags.js';
import { reportError } from '../options.js';
import { askForConfirmation, type ConfirmInput } from './confirm.js';

const SPEC_EXAMPLE =
  'https://github.com/notaryproject/specifications/blob/8cf800c60b7315a43f0adbcae463d848a353b412/specs/trust-store-trust-policy.md#trust-policy-for-oci-artifacts';

export interface PolicyCommandOptions extends LogCliOptions {
  configDir?: string;
  force?: boolean;
}

export interface PolicyDependencies {
  output?: CliOutput;
  stdin?: ConfirmInput;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** `policy import [--force] FILE`: validated, then written; an existing policy is replaced only when confirmed or --force. */
export async function runPolicyImport(file: string, options: PolicyCommandOptions, deps: PolicyDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const bytes = await readFileLimited(file, MAX_TRUST_POLICY_BYTES, (problem) => {
      const reason = problem.reason === 'unreadable' ? (problem.cause as Error).message : problem.reason === 'not-a-file' ? 'not a regular file' : `larger than ${MAX_TRUST_POLICY_BYTES} bytes`;
      return new CliError('USAGE', `failed to read OCI trust policy configuration: ${file}: ${reason}`, { cause: problem.reason === 'unreadable' ? problem.cause : undefined });
    });
    const text = Buffer.from(bytes).toString('utf8');
    try {
      parseTrustPolicyJson(text, file);
    } catch (err) {
      throw new CliError('USAGE', `failed to validate OCI trust policy configuration: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const configDir = options.configDir ?? notationConfigDir();
    const policyPath = join(configDir, TRUST_POLICY_FILE_OCI);
    if (await isFile(policyPath)) {
      if (options.force) output.stderr('Warning: existing OCI trust policy configuration will be overwritten\n');
      else if (!(await askForConfirmation('The OCI trust policy configuration already exists, do you want to overwrite it?', false, output, deps.stdin))) return 0;
    }
    await mkdir(configDir, { recursive: true, mode: 0o700 });
    await writeFile(policyPath, bytes, { mode: 0o600 });
    const oldPath = join(configDir, TRUST_POLICY_FILE_LEGACY);
    if (await isFile(oldPath)) {
      await rm(oldPath);
      output.stdout(`Deleted old trust policy configuration ${TRUST_POLICY_FILE_LEGACY}.\n`);
    }
    output.stdout(`Successfully imported OCI trust policy configuration to ${policyPath}.\n`);
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

/** `policy show`: the file as stored; an invalid one is printed with a warning and exit 2. */
export async function runPolicyShow(options: PolicyCommandOptions, deps: PolicyDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const configDir = options.configDir ?? notationConfigDir();
    let path = join(configDir, TRUST_POLICY_FILE_OCI);
    if (!(await isFile(path))) {
      const oldPath = join(configDir, TRUST_POLICY_FILE_LEGACY);
      if (!(await isFile(oldPath))) {
        throw new CliError('USAGE', 'failed to show OCI trust policy as it does not exist.\nYou can import one using `imgverify policy import <path-to-policy.json>`');
      }
      output.stderr('Warning: old trust policy `trustpolicy.json` is deprecated; please update the trust policy configuration via `imgverify policy import`.\n');
      path = oldPath;
    }
    const text = await readTextFileLimited(path, MAX_TRUST_POLICY_BYTES).catch((err: unknown) => {
      throw new CliError('USAGE', `failed to show OCI trust policy: ${path} ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    });
    try {
      parseTrustPolicyJson(text, path);
    } catch (err) {
      output.stderr(
        `Existing OCI trust policy configuration is invalid, you may update or create a new one via \`imgverify policy import <path-to-policy.json>\`. See ${SPEC_EXAMPLE} for a trust policy example.\n`,
      );
      output.stdout(text);
      throw err;
    }
    output.stdout(text);
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
