// notation's signingkeys.json in its config dir: named key/certificate pairs `sign --key NAME` resolves, written by `cert generate-test`.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readTextFileLimited } from '../../common/index.js';
import { CliError } from '../errors.js';

/** signingkeys.json is a short list of names and paths. */
const MAX_SIGNING_KEYS_BYTES = 1024 * 1024;
export const SIGNING_KEYS_FILE = 'signingkeys.json';

/** One entry as notation-go's config.KeySuite writes it: a local pair (keyPath, certPath) or a plugin key (id, pluginName). */
export interface KeySuite {
  name: string;
  keyPath?: string;
  certPath?: string;
  id?: string;
  pluginName?: string;
  pluginConfig?: Record<string, string>;
}

export interface SigningKeys {
  default?: string;
  keys: KeySuite[];
}

function isKeySuite(value: unknown): value is KeySuite {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.name === 'string' && ['keyPath', 'certPath', 'id', 'pluginName'].every((field) => entry[field] === undefined || typeof entry[field] === 'string');
}

/** The file's keys, or none when it does not exist; a file that is not notation's shape is an error naming it. */
export async function loadSigningKeys(configDir: string): Promise<SigningKeys> {
  const path = join(configDir, SIGNING_KEYS_FILE);
  let text: string;
  try {
    text = await readTextFileLimited(path, MAX_SIGNING_KEYS_BYTES);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { keys: [] };
    throw new CliError('USAGE', `${path} ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CliError('USAGE', `${path} is not JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const document = parsed as { default?: unknown; keys?: unknown };
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(document.keys) || !document.keys.every(isKeySuite) || (document.default !== undefined && typeof document.default !== 'string')) {
    throw new CliError('USAGE', `${path} is not a notation signingkeys.json: {"default": NAME, "keys": [{"name", "keyPath", "certPath"}]}`);
  }
  return { ...(typeof document.default === 'string' ? { default: document.default } : {}), keys: document.keys };
}

/** Written as notation-go does: indented by four spaces, mode 0600, a trailing newline. */
export async function saveSigningKeys(configDir: string, keys: SigningKeys): Promise<void> {
  const path = join(configDir, SIGNING_KEYS_FILE);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const document = { ...(keys.default !== undefined ? { default: keys.default } : {}), keys: keys.keys };
  await writeFile(path, `${JSON.stringify(document, null, 4)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** notation-go's SigningKeys.Add: a new name only; `markDefault` makes it the default. */
export function addSigningKey(keys: SigningKeys, entry: KeySuite, markDefault: boolean): SigningKeys {
  if (keys.keys.some((key) => key.name === entry.name)) throw new CliError('USAGE', `signing key with name ${JSON.stringify(entry.name)} already exists`);
  return { ...(markDefault ? { default: entry.name } : keys.default !== undefined ? { default: keys.default } : {}), keys: [...keys.keys, entry] };
}

/** The key and certificate files of key `name` (notation's `signing key NAME not found` otherwise); plugin keys are not supported. */
export function localKeyPair(keys: SigningKeys, name: string): { keyPath: string; certPath: string } {
  const entry = keys.keys.find((key) => key.name === name);
  if (!entry) throw new CliError('USAGE', `signing key ${name} not found`);
  if (entry.keyPath === undefined || entry.certPath === undefined) {
    throw new CliError('USAGE', `signing key ${name} is a plugin key (${entry.pluginName ?? 'no plugin'}); imgverify signs with local key files only: give --key FILE --cert FILE`);
  }
  return { keyPath: entry.keyPath, certPath: entry.certPath };
}
