// Content digests: compute, parse and verify sha256/sha512 digests of bytes and streams.
import { createHash, type Hash } from 'node:crypto';
import { hexDigest } from '../common/hash.js';
import { digestProblem } from '../reference/index.js';
import { OciError } from './errors.js';
import type { Descriptor } from './types.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Split a digest; throws INVALID_ARGUMENT for anything but a well-formed sha256/sha512 digest. */
export function parseDigest(digest: string): ParsedDigest {
  const problem = digestProblem(digest);
  if (problem) throw new OciError('INVALID_ARGUMENT', problem);
  const colon = digest.indexOf(':');
  return { algorithm: digest.slice(0, colon) as DigestAlgorithm, hex: digest.slice(colon + 1) };
}

/** One-shot (common/hash.ts): a fraction of createHash's cost for the small documents a verification hashes. */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${hexDigest(algorithm, bytes)}`;
}

/** Incremental digester for streamed content. */
export class Digester {
  readonly algorithm: DigestAlgorithm;
  private readonly hash: Hash;

  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

/**
 * Throw DIGEST_MISMATCH unless `bytes` has exactly the descriptor's size and digest. `what`
 * names the content for the message (e.g. `manifest ghcr.io/org/app@sha256:…`).
 */
export function verifyContent(bytes: Uint8Array, expected: Pick<Descriptor, 'digest' | 'size'> | string, what: string): void {
  const digest = typeof expected === 'string' ? expected : expected.digest;
  const { algorithm } = parseDigest(digest);
  if (typeof expected !== 'string' && bytes.length !== expected.size) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `${what}: got ${bytes.length} bytes but the descriptor says ${expected.size}; the content was altered or the descriptor is wrong — do not use it`,
    );
  }
  const actual = computeDigest(bytes, algorithm);
  if (actual !== digest) {
    throw new OciError(
      'DIGEST_MISMATCH',
      `${what}: content hashes to ${actual}, not ${digest}; the content was altered in storage or transit — do not use it`,
    );
  }
}
