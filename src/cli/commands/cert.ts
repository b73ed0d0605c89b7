// `imgverify cert generate-test`: a self-signed test signing key and certificate, like `notation cert generate-test`.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NotaryError, generateTestCertificate, type KeyType } from '../../notary/index.js';
import { notationConfigDir } from '../flags.js';

/** Names become file and trust store names; notation allows the same characters. */
const NAME_PATTERN = /^[a-zA-Z0-9_.-]+$/;
const MAX_VALIDITY_DAYS = 36_500;

export interface GenerateTestOptions {
  configDir: string;
  keyType: KeyType;
  validityDays: number;
  trust: boolean;
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
  const generated = await generateTestCertificate({ commonName: name, keyType: options.keyType, validity: options.validityDays });
  const keyDir = join(options.configDir, 'localkeys');
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  const keyPath = join(keyDir, `${name}.key`);
  const certificatePath = join(keyDir, `${name}.crt`);
  await writeFile(keyPath, generated.privateKeyPem, { mode: 0o600 });
  // writeFile keeps the mode of an existing file; a re-generated key must still be private.
  await chmod(keyPath, 0o600);
  await writeFile(certificatePath, generated.pem);
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

export async function generateTestAction(name: string, options: { configDir?: string; keyType: KeyType; validity: string; trust: boolean }): Promise<void> {
  const files = await generateTestFiles(name, {
    configDir: options.configDir ?? notationConfigDir(),
    keyType: options.keyType,
    validityDays: parseDays(options.validity),
    trust: options.trust,
  });
  const lines = [
    `generated ${options.keyType} key and certificate expiring on ${files.notAfter.toISOString()}`,
    `wrote key: ${files.keyPath}`,
    `wrote certificate: ${files.certificatePath}`,
  ];
  if (files.trustStorePath) lines.push(`added ${name}.crt to the trust store ca:${name} (${files.trustStorePath})`);
  process.stdout.write(lines.join('\n') + '\n');
}
