// `imgverify cert add | ls | show | delete`: notation's trust store in its config dir (truststore/x509/<type>/<store>/<file>), with notation's flags and output.
import { copyFile, lstat, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { readFileLimited } from '../../common/index.js';
import { hexDigest } from '../../common/hash.js';
import {
  isTrustStoreType,
  isValidTrustStoreName,
  TRUST_STORE_TYPES,
  type TrustStoreType,
} from '../../notary/index.js';
import { distinguishedNameLikeGo, MAX_CERTIFICATE_BUNDLE_BYTES, parseCertificateBundle } from '../../pki/index.js';
import type { X509Certificate } from '@peculiar/x509';
import { CliError } from '../errors.js';
import { notationConfigDir, processOutput, type CliOutput, type LogCliOptions } from '../flags.js';
import { askForConfirmation, type ConfirmInput } from './confirm.js';
import { reportError } from '../options.js';

/** Most certificate files `cert ls` reads (a trust store is a handful). */
const MAX_LISTED_FILES = 10_000;
const RULE = '-'.repeat(80);

export interface TrustStoreCommandOptions extends LogCliOptions {
  type?: string;
  store?: string;
  configDir?: string;
  all?: boolean;
  yes?: boolean;
}

export interface TrustStoreDependencies {
  output?: CliOutput;
  stdin?: ConfirmInput;
}

function x509Dir(options: TrustStoreCommandOptions): string {
  return join(options.configDir ?? notationConfigDir(), 'truststore', 'x509');
}

/** notation's checks of --type and --store, in its words. */
function storeOf(options: TrustStoreCommandOptions): { type: TrustStoreType; store: string } {
  const { type, store } = options;
  if (!type) throw new CliError('USAGE', 'store type cannot be empty');
  if (!isTrustStoreType(type)) throw new CliError('USAGE', `unsupported store type: ${type}`);
  if (store === undefined || !isValidTrustStoreName(store)) throw new CliError('USAGE', 'named store name needs to follow [a-zA-Z0-9_.-]+ format');
  return { type, store };
}

/** A certificate file name inside a store: one path segment, never `..`. */
function fileIn(directory: string, file: string): string {
  if (file === '' || file !== basename(file) || file === '.' || file === '..') throw new CliError('USAGE', `certificate file name ${JSON.stringify(file)} must be a file name, not a path`);
  return join(directory, file);
}

/** The certificates of a file (PEM or DER), or an Error in notation's words. */
async function readCertificates(path: string): Promise<X509Certificate[]> {
  const bytes = await readFileLimited(path, MAX_CERTIFICATE_BUNDLE_BYTES, (problem) => {
    if (problem.reason === 'unreadable') return problem.cause instanceof Error ? problem.cause : new Error(String(problem.cause));
    if (problem.reason === 'not-a-file') return new Error(`${path} is not a regular file`);
    return new Error(`${path} is larger than ${MAX_CERTIFICATE_BUNDLE_BYTES} bytes`);
  });
  try {
    return parseCertificateBundle(bytes, { source: path });
  } catch (err) {
    if (err instanceof Error && /holds no certificate/.test(err.message)) throw new Error('no valid certificate found in the file');
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

async function addOne(path: string, storeDir: string): Promise<void> {
  const source = resolvePath(path);
  await readCertificates(source);
  const target = join(storeDir, basename(source));
  if (await exists(target)) throw new Error('certificate already exists in the Trust Store');
  await mkdir(storeDir, { recursive: true, mode: 0o700 });
  await copyFile(source, target);
}

/** `cert add --type T --store S FILE...`: every file that holds certificates is copied; the others are listed with their error (exit 1 as notation). */
export async function runCertAdd(paths: string[], options: TrustStoreCommandOptions, deps: TrustStoreDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const { type, store } = storeOf(options);
    const storeDir = join(x509Dir(options), type, store);
    const added: string[] = [];
    const failed: string[] = [];
    for (const path of paths) {
      try {
        await addOne(path, storeDir);
        added.push(path);
      } catch (err) {
        failed.push(`${path}, with error ${JSON.stringify(err instanceof Error ? err.message : String(err))}`);
      }
    }
    if (added.length > 0) output.stdout(`Successfully added following certificates to named store ${store} of type ${type}:\n${added.map((p) => `${p}\n`).join('')}`);
    if (failed.length > 0) {
      throw new CliError('USAGE', `Failed to add following certificates to named store ${store} of type ${type}:\n${failed.join('\n')}`);
    }
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

/** Files under `root` down to `depth` directory levels that hold certificates, sorted as filepath.WalkDir visits them. */
async function listCertificateFiles(root: string, depth: number, budget = { files: MAX_LISTED_FILES }): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) {
      if (depth > 0) found.push(...(await listCertificateFiles(path, depth - 1, budget)));
    } else if (entry.isFile()) {
      budget.files -= 1;
      if (budget.files < 0) throw new CliError('USAGE', `the trust store holds more than ${MAX_LISTED_FILES} files`);
      await readCertificates(path);
      found.push(path);
    }
  }
  return found;
}

/** Go's tabwriter (minwidth 0, padding 3, trailing tab): each column as wide as its widest cell plus 3. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)) + 3) ?? [];
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('') + '\n').join('');
}

/** `cert ls [--type T] [--store S]`: STORE TYPE, STORE NAME, CERTIFICATE; nothing at all when the store is empty (as notation). */
export async function runCertList(options: TrustStoreCommandOptions, deps: TrustStoreDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const root = x509Dir(options);
    const { type, store } = options;
    if (type !== undefined && type !== '' && !isTrustStoreType(type)) return 0;
    if (store !== undefined && store !== '' && !isValidTrustStoreName(store)) throw new CliError('USAGE', 'named store name needs to follow [a-zA-Z0-9_.-]+ format');
    const types = type ? [type] : TRUST_STORE_TYPES;
    const files: string[] = [];
    for (const each of types) files.push(...(store ? await listCertificateFiles(join(root, each, store), 0) : await listCertificateFiles(join(root, each), 1)));
    if (files.length === 0) return 0;
    const rows = [['STORE TYPE', 'STORE NAME', 'CERTIFICATE'], ...files.map((file) => file.slice(root.length + 1).split('/'))];
    output.stdout(table(rows));
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

/** Go's time.Time.String() of a certificate time (UTC): `2033-05-19 21:15:18 +0000 UTC`. */
function goTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

function isCa(certificate: X509Certificate): boolean {
  const basicConstraints = certificate.getExtension('2.5.29.19') as { ca?: boolean } | null;
  return Boolean(basicConstraints?.ca);
}

/** `cert show --type T --store S FILE`: every certificate of the file, as notation prints them. */
export async function runCertShow(file: string, options: TrustStoreCommandOptions, deps: TrustStoreDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const { type, store } = storeOf(options);
    const path = fileIn(join(x509Dir(options), type, store), file);
    let certificates: X509Certificate[];
    try {
      certificates = await readCertificates(path);
    } catch (err) {
      throw new CliError('USAGE', `failed to show details of certificate ${file}, with error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const blocks = certificates.map((certificate) =>
      [
        `Issuer: ${distinguishedNameLikeGo(certificate, 'issuer')}`,
        `Subject: ${distinguishedNameLikeGo(certificate, 'subject')}`,
        `Valid from: ${goTime(certificate.notBefore)}`,
        `Valid to: ${goTime(certificate.notAfter)}`,
        `IsCA: ${isCa(certificate)}`,
        `SHA256 Thumbprint: ${hexDigest('sha256', new Uint8Array(certificate.rawData))}`,
      ].join('\n'),
    );
    output.stdout(`Certificate details\n${RULE}\n${blocks.join(`\n${RULE}\n`)}\n`);
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

/** `cert delete --type T --store S (--all | FILE) [-y]`: asks first unless -y, as notation. */
export async function runCertDelete(file: string | undefined, options: TrustStoreCommandOptions, deps: TrustStoreDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    if (options.all && file !== undefined) throw new CliError('USAGE', 'cannot delete a single certificate file when --all flag is set. use --help flag for more details');
    if (!options.all && file === undefined) {
      throw new CliError('USAGE', 'delete requires either the certificate file name that needs to be deleted or --all flag to delete all certificates in the given named trust store');
    }
    const { type, store } = storeOf(options);
    const storeDir = join(x509Dir(options), type, store);
    if (options.all) {
      const prompt = `Are you sure you want to delete all certificates in ${JSON.stringify(store)} of type ${JSON.stringify(type)}?`;
      if (!(await askForConfirmation(prompt, Boolean(options.yes), output, deps.stdin))) return 0;
      await stat(storeDir).catch((err: unknown) => {
        throw new CliError('USAGE', `failed to delete the named trust store: stat ${storeDir}: no such file or directory`, { cause: err });
      });
      await rm(storeDir, { recursive: true });
      output.stdout(`Successfully deleted ${storeDir}\n`);
      return 0;
    }
    const path = fileIn(storeDir, file as string);
    const prompt = `Are you sure you want to delete ${JSON.stringify(file)} in ${JSON.stringify(store)} of type ${JSON.stringify(type)}?`;
    if (!(await askForConfirmation(prompt, Boolean(options.yes), output, deps.stdin))) return 0;
    await stat(path).catch((err: unknown) => {
      throw new CliError('USAGE', `failed to delete the certificate file: stat ${path}: no such file or directory`, { cause: err });
    });
    await rm(path);
    // notation removes the store directory with its last certificate.
    if ((await readdir(storeDir)).length === 0) await rmdir(storeDir);
    output.stdout(`Successfully deleted ${file} from trust store ${store} of type ${type}\n`);
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
