// Reads the OCI trust policy from a notation config directory: trustpolicy.oci.json, else trustpolicy.json.
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileLimited } from '../../common/index.js';
import { NotaryError } from '../errors.js';
import { MAX_TRUST_POLICY_BYTES, TRUST_POLICY_FILE_LEGACY, TRUST_POLICY_FILE_OCI, TRUST_POLICY_FILES } from './constants.js';
import { parseTrustPolicyJson } from './document.js';
import type { TrustPolicyDocument } from './types.js';

export interface LoadTrustPolicyOptions {
  signal?: AbortSignal;
  maxBytes?: number;
}

/**
 * Loads and validates `{configDir}/trustpolicy.oci.json`, or `{configDir}/trustpolicy.json` when the
 * first does not exist (notation's order). Throws INVALID_TRUST_POLICY (missing, unreadable or invalid).
 */
export async function loadTrustPolicy(configDir: string, options: LoadTrustPolicyOptions = {}): Promise<TrustPolicyDocument> {
  const { path, text } = await readTrustPolicyText(configDir, options);
  return parseTrustPolicyJson(text, path);
}

/**
 * The policy file notation reads (`trustpolicy.oci.json`, else `trustpolicy.json`) as text, not yet
 * parsed: `file` is its name in `configDir`. As notation, a policy file that is a symlink or a
 * directory is refused. Throws INVALID_TRUST_POLICY (missing or unreadable).
 */
export async function readTrustPolicyText(configDir: string, options: LoadTrustPolicyOptions = {}): Promise<{ file: string; path: string; text: string }> {
  const maxBytes = options.maxBytes ?? MAX_TRUST_POLICY_BYTES;
  for (const file of TRUST_POLICY_FILES) {
    options.signal?.throwIfAborted();
    const path = join(configDir, file);
    const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw new NotaryError('INVALID_TRUST_POLICY', `cannot access the trust policy ${path}: ${err.message}`, { cause: err });
    });
    if (!info) continue;
    if (info.isSymbolicLink() || !info.isFile()) {
      throw new NotaryError('INVALID_TRUST_POLICY', `the trust policy ${path} is not a regular file (symlinks are not supported)`);
    }
    return { file, path, text: await readBounded(path, maxBytes) };
  }
  throw new NotaryError(
    'INVALID_TRUST_POLICY',
    `trust policy is not present: create ${join(configDir, TRUST_POLICY_FILE_OCI)} (or ${TRUST_POLICY_FILE_LEGACY}) with at least one statement`,
  );
}

async function readBounded(path: string, maxBytes: number): Promise<string> {
  const bytes = await readFileLimited(
    path,
    maxBytes,
    (problem) => {
      switch (problem.reason) {
        case 'unreadable':
          return new NotaryError('INVALID_TRUST_POLICY', `cannot read the trust policy ${path}: ${(problem.cause as Error).message}`, { cause: problem.cause });
        case 'not-a-file':
          return new NotaryError('INVALID_TRUST_POLICY', `the trust policy ${path} is not a regular file`);
        case 'too-large':
          return new NotaryError('INVALID_TRUST_POLICY', `the trust policy ${path} is ${problem.size} bytes, over the ${maxBytes}-byte limit`);
      }
    },
    { noFollow: true },
  );
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
