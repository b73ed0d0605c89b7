// A TUF repository written to a directory for tests (the layout a local --tuf-mirror reads): one Ed25519 key signs
// root, targets, snapshot and timestamp, canonical JSON as TUF specifies, and trusted_root.json as its one target.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { json } from '@sigstore/core';

export interface TufRepository {
  /** The repository directory (metadata at the top, targets in targets/). */
  directory: string;
  /** The version-1 root.json to start a client from. */
  rootPath: string;
}

const EXPIRES = '2099-01-01T00:00:00Z';

/** Write a repository serving `trustedRoot` (its bytes, as given) as trusted_root.json; `tamper` changes the target after it was signed for. */
export async function writeTufRepository(directory: string, trustedRoot: string, options: { tamper?: boolean; expires?: string } = {}): Promise<TufRepository> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('hex');
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw } };
  const keyId = createHash('sha256').update(json.canonicalize(key)).digest('hex');
  const role = { keyids: [keyId], threshold: 1 };
  const expires = options.expires ?? EXPIRES;
  const signed = (body: Record<string, unknown>) => signMetadata(body, keyId, privateKey);
  const target = Buffer.from(trustedRoot);

  const root = signed({ _type: 'root', spec_version: '1.0.31', version: 1, expires, consistent_snapshot: false, keys: { [keyId]: key }, roles: { root: role, targets: role, snapshot: role, timestamp: role } });
  const targets = signed({ _type: 'targets', spec_version: '1.0.31', version: 1, expires, targets: { 'trusted_root.json': { length: target.length, hashes: { sha256: createHash('sha256').update(target).digest('hex') } } } });
  const snapshot = signed({ _type: 'snapshot', spec_version: '1.0.31', version: 1, expires, meta: { 'targets.json': { version: 1 } } });
  const timestamp = signed({ _type: 'timestamp', spec_version: '1.0.31', version: 1, expires, meta: { 'snapshot.json': { version: 1 } } });

  await mkdir(join(directory, 'targets'), { recursive: true });
  await writeFile(join(directory, '1.root.json'), root);
  await writeFile(join(directory, 'targets.json'), targets);
  await writeFile(join(directory, 'snapshot.json'), snapshot);
  await writeFile(join(directory, 'timestamp.json'), timestamp);
  await writeFile(join(directory, 'targets', 'trusted_root.json'), options.tamper ? Buffer.concat([target, Buffer.from(' ')]) : target);
  const rootPath = join(directory, 'initial-root.json');
  await writeFile(rootPath, root);
  return { directory, rootPath };
}

function signMetadata(body: Record<string, unknown>, keyId: string, privateKey: KeyObject): string {
  const signature = sign(null, Buffer.from(json.canonicalize(body)), privateKey).toString('hex');
  return JSON.stringify({ signed: body, signatures: [{ keyid: keyId, sig: signature }] });
}
