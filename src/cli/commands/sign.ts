// `imgverify sign <ref>`: sign an image in a registry or OCI layout like `notation sign`, pushing a signature notation accepts.
import {
  MAX_CERTIFICATE_FILE_BYTES,
  MAX_CERTIFICATES_PER_FILE,
  NotaryError,
  parsePrivateKey,
  recodeInvalidCertificate,
  signArtifact,
  tsaTimestamper,
  type SignArtifactOptions,
  type SignatureFormat,
  type SignatureManifestForm,
} from '../../notary/index.js';
import { readFileLimited } from '../../common/index.js';
import { parseCertificateBundle } from '../../pki/index.js';
import type { RegistryClient } from '../../oci/index.js';
import { join } from 'node:path';
import { CliError } from '../errors.js';
import { notationConfigDir, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { loadSigningKeys, localKeyPair, SIGNING_KEYS_FILE } from './signing-keys.js';
import { openTarget, parseKeyValues, pinnedName, registryClientFromOptions, reportError, timeoutSignal } from '../options.js';

/** Longest --expiry accepted: a century. */
const MAX_EXPIRY_MS = 100 * 365 * 24 * 3600 * 1000;
/** Key and certificate files are small; anything larger is a wrong path. */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

const DURATION_UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export interface SignCommandOptions extends RegistryCliOptions, LogCliOptions {
  key?: string;
  cert?: string;
  signatureFormat: SignatureFormat;
  signatureManifest: SignatureManifestForm;
  timestampUrl?: string;
  timestampRootCert?: string;
  userMetadata: string[];
  expiry?: string;
  ociLayout?: boolean;
  forceReferrersTag?: boolean;
  timeout?: string;
}

/**
 * `--expiry`: whole numbers of s, m, h and d (`24h`, `30m`, `3h20m`, `7d`, `90s`). Not notation's
 * grammar, which is Go's time.ParseDuration (src/common/go.ts): notation takes `1.5h` and `500ms`
 * and has no `d`.
 */
export function parseExpiryDuration(value: string): number {
  const parts = [...value.matchAll(/(\d+)([smhd])/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== value) {
    throw new NotaryError('INVALID_INPUT', `--expiry must be a duration such as 24h, 30m, 3h20m or 7d, got ${JSON.stringify(value)}`);
  }
  const ms = parts.reduce((total, [, amount, unit]) => total + Number(amount) * (DURATION_UNITS_MS[unit as string] as number), 0);
  if (ms <= 0 || ms > MAX_EXPIRY_MS) throw new NotaryError('INVALID_INPUT', `--expiry must be more than 0 and at most 100 years, got ${value}`);
  return ms;
}

/** The `--user-metadata` pairs signed with the image. */
export function parseUserMetadata(values: string[]): Record<string, string> {
  return parseKeyValues(values, '--user-metadata');
}

async function readSmallFile(path: string, what: string): Promise<Buffer> {
  // Pipes too (`--key <(vault read …)`), but never more than the limit: /dev/zero must not fill memory.
  const bytes = await readFileLimited(
    path,
    MAX_KEY_FILE_BYTES,
    (problem) => {
      switch (problem.reason) {
        case 'unreadable':
          return new NotaryError('INVALID_INPUT', `cannot read the ${what} ${path}: ${(problem.cause as Error).message}`, { cause: problem.cause });
        case 'not-a-file':
          return new NotaryError('INVALID_INPUT', `cannot read the ${what} ${path}: not a file`);
        case 'too-large':
          return new NotaryError('INVALID_INPUT', `the ${what} ${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
      }
    },
    { allowSpecialFiles: true },
  );
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The key and certificate files: `--key FILE --cert FILE`, else notation's way, the key named by
 * `--key NAME` (or the default key) in signingkeys.json of the notation config dir.
 */
async function signingKeyFiles(options: SignCommandOptions): Promise<{ keyPath: string; certPath: string }> {
  if (options.cert !== undefined) {
    if (options.key === undefined) throw new CliError('USAGE', '--cert needs --key FILE, the private key of the certificate');
    return { keyPath: options.key, certPath: options.cert };
  }
  const configDir = notationConfigDir();
  const keys = await loadSigningKeys(configDir);
  const name = options.key ?? keys.default;
  if (name === undefined) {
    throw new CliError('USAGE', `default signing key not set. Please set default signing key or specify a key name (${join(configDir, SIGNING_KEYS_FILE)}; or --key FILE --cert FILE)`);
  }
  return localKeyPair(keys, name);
}

export interface SignDependencies {
  output?: CliOutput;
  /** Registry client to use instead of one built from the flags (tests). */
  client?: RegistryClient;
}

export async function runSign(reference: string, options: SignCommandOptions, dependencies: SignDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  let client = dependencies.client;
  const ownClient = !client;
  try {
    if ((options.timestampUrl === undefined) !== (options.timestampRootCert === undefined)) {
      throw new NotaryError('INVALID_INPUT', '--timestamp-url and --timestamp-root-cert go together: the timestamp is verified against the root before it is used');
    }
    const signal = timeoutSignal(options.timeout);
    const files = await signingKeyFiles(options);
    const key = parsePrivateKey(await readSmallFile(files.keyPath, 'key file'), files.keyPath);
    const chainBytes = await readSmallFile(files.certPath, 'certificate file');
    const certificateChain = recodeInvalidCertificate('INVALID_INPUT', () =>
      parseCertificateBundle(chainBytes, { source: files.certPath, maxBytes: MAX_CERTIFICATE_FILE_BYTES, maxCertificates: MAX_CERTIFICATES_PER_FILE }),
    ).map((certificate) => new Uint8Array(certificate.rawData));
    const signOptions: SignArtifactOptions = {
      key,
      certificateChain,
      signatureFormat: options.signatureFormat,
      signatureManifest: options.signatureManifest,
      userMetadata: parseUserMetadata(options.userMetadata),
      signal,
    };
    if (options.expiry !== undefined) signOptions.expiry = new Date(Date.now() + parseExpiryDuration(options.expiry));
    if (options.timestampUrl !== undefined && options.timestampRootCert !== undefined) {
      const rootBytes = await readSmallFile(options.timestampRootCert, 'timestamp root certificate');
      const roots = recodeInvalidCertificate('INVALID_INPUT', () => parseCertificateBundle(rootBytes, { source: options.timestampRootCert }));
      signOptions.timestamper = tsaTimestamper(options.timestampUrl, { rootCertificates: roots, signal });
    }
    if (!options.ociLayout && !client) client = registryClientFromOptions(options, { clientOptions: { plainHttpForLocalhost: true, ...(options.forceReferrersTag ? { forceReferrersTag: true } : {}) } });
    const opened = await openTarget(reference, { ociLayout: Boolean(options.ociLayout), ...(client ? { client } : {}) });
    if (opened.target === undefined) {
      throw new NotaryError('INVALID_INPUT', `${reference} names no tag or digest; with --oci-layout use PATH:tag or PATH@sha256:<digest>`);
    }
    if (!opened.target.includes(':')) {
      output.stderr(
        `Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:${opened.target}) because tags are mutable ` +
          'and a tag reference can point to a different artifact than the one signed.\n',
      );
    }
    const result = await signArtifact(opened.store, opened.target, signOptions);
    output.stdout(`Successfully signed ${pinnedName(opened, result.target.digest)}\n`);
    output.stdout(`Pushed the signature to ${pinnedName(opened, result.signatureManifest.digest)}\n`);
    return 0;
  } catch (err) {
    return reportError(output, err, { signing: true, debug: options.debug });
  } finally {
    if (ownClient && client) await client.close();
  }
}
