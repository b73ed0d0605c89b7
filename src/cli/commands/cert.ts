// `imgverify cert generate-test`: a self-signed test signing key and certificate, listed in signingkeys.json, like `notation cert generate-test`.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotaryError, generateTestCertificate, type KeyType } from '../../notary/index.js';
import { notationConfigDir } from '../flags.js';
import { addSigningKey, loadSigningKeys, saveSigningKeys } from './signing-keys.js';

/** Names become file and trust store names; notation allows the same characters. */
const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const MAX_VALIDITY_DAYS = 36_500;

export interface GenerateTestOptions {
  configDir: string;
  keyType: KeyType;
  validityDays: number;
  trust: boolean;
  /** Mark the key as signingkeys.json's default. */
  markDefault: boolean;
}

export interface GeneratedTestFiles {
  keyPath: string;
  certificatePath: string;
  trustStorePath?: string;
  notAfter: Date;
}

/** Write `<configDir>/localkeys/<name>.{key,crt}` and, with `trust`, `truststore/x509/ca/<name>/<name>.crt`. */
async function generateTestFiles(name: string, options: GenerateTestOptions): Promise<GeneratedTestFiles> {
  if (!NAME_PATTERN.test(name)) {
    throw new NotaryError('INVALID_INPUT', `certificate name "${name}" may only hold letters, digits, ".", "_" and "-"`);
  }
  // notation refuses a name signingkeys.json holds; the same name at the same paths is a re-generation and replaces the files.
  const signingKeys = await loadSigningKeys(options.configDir);
  const keyDir = join(options.configDir, 'localkeys');
  const keyPath = join(keyDir, `${name}.key`);
  const certificatePath = join(keyDir, `${name}.crt`);
  const listed = signingKeys.keys.find((key) => key.name === name);
  if (listed && (listed.keyPath !== keyPath || listed.certPath !== certificatePath)) addSigningKey(signingKeys, { name }, false);
  const generated = await generateTestCertificate({ commonName: name, keyType: options.keyType, validity: options.validityDays });
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, generated.privateKeyPem, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; a re-generated key must still be private.
  await chmod(keyPath, 0o600);
  await writeFile(certificatePath, generated.pem);
  const entry = { name, keyPath, certPath: certificatePath };
  await saveSigningKeys(
    options.configDir,
    listed ? { ...(options.markDefault ? { default: name } : signingKeys.default !== undefined ? { default: signingKeys.default } : {}), keys: signingKeys.keys } : addSigningKey(signingKeys, entry, options.markDefault),
  );
  const result: GeneratedTestFiles = { keyPath, certificatePath, notAfter: generated.certificate.notAfter };
  if (options.trust) {
    const storeDir = join(options.configDir, 'truststore', 'x509', 'ca', name);
    await mkdir(storeDir, { recursive: true });
    result.trustStorePath = join(storeDir, `${name}.crt`);
    await writeFile(result.trustStorePath, generated.pem);
  }
  return result;
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new NotaryError('INVALID_INPUT', `--validity must be a whole number of days between 1 and ${MAX_VALIDITY_DAYS}, got "${value}"`);
  }
  return days;
}

export async function generateTestAction(name: string, options: { configDir?: string; keyType: KeyType; validity: string; trust: boolean; default?: boolean }): Promise<void> {
  const files = await generateTestFiles(name, {
    configDir: options.configDir ?? notationConfigDir(),
    keyType: options.keyType,
    validityDays: parseDays(options.validity),
    trust: options.trust,
    markDefault: Boolean(options.default),
  });
  const lines = [
    `generated ${options.keyType} key and certificate expiring on ${files.notAfter.toISOString()}`,
    `wrote key: ${files.keyPath}`,
    `wrote certificate: ${files.certificatePath}`,
  ];
  if (files.trustStorePath) lines.push(`added ${name}.crt to the trust store ca:${name} (${files.trustStorePath})`);
  lines.push(`${name}: added to the key list`);
  if (options.default) lines.push(`${name}: marked as default signing key`);
  process.stdout.write(lines.join('\n') + '\n');
}
