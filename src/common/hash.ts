// One-shot hex digests of small inputs: node:crypto's hash() where the runtime has it (Node ≥ 20.12, a fraction of
// createHash's cost for a few hundred bytes), createHash on the older Node 20 releases `engines` still admits.
import * as crypto from 'node:crypto';

type OneShot = (algorithm: string, data: Uint8Array | string, outputEncoding: 'hex') => string;

/** Read as a member, never as a named import: importing a name Node 20.0–20.11 lacks would fail at load. */
const oneShot = (crypto as { hash?: OneShot }).hash;

/** The hex digest of `data` (a string as UTF-8) with `algorithm` (`sha256`, `sha512`, …). */
export function hexDigest(algorithm: string, data: Uint8Array | string): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex');
}
