// Trusted roots: the public-good root shipped offline, a trusted_root.json file, or a TUF repository; turned into the facts verifiers look up.
import type { KeyObject } from 'node:crypto';
import { X509Certificate as SigstoreCertificate, crypto as sigstoreCrypto } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { readTextFileLimited } from '../common/index.js';
import { hexDigest } from '../common/hash.js';
import { readPem } from '../pki/index.js';
import { MAX_TRUSTED_ROOT_BYTES, PUBLIC_GOOD_TUF_MIRROR, TRUSTED_ROOT_MEDIA_TYPE_PREFIX, TRUSTED_ROOT_TARGET } from './constants.js';
import { SigstoreError } from './errors.js';
import { trustedRootFromTuf, tufSeed, type TufSource } from './tuf.js';

/** Where a trusted root comes from. Only `tuf` may use the network, and only the mirror it names. */
export type TrustedRootSource =
  | { kind: 'embedded' }
  | { kind: 'file'; path: string }
  /** `rootPath`: the TUF root.json to start from (none: the public-good seed); `mirror`: an http(s) URL or a local directory. */
  | ({ kind: 'tuf' } & TufSource);

/** A validity window; `end` is far in the future when the root leaves it open. */
export interface ValidFor {
  readonly start: Date;
  readonly end: Date;
}

/** A transparency log (Rekor) or CT log key. */
export interface LogKey {
  /** Hex of the log ID: SHA-256 of the key's DER SubjectPublicKeyInfo (as the root states it). */
  readonly logId: string;
  readonly baseUrl: string;
  readonly publicKey: KeyObject;
  readonly validFor: ValidFor;
}

/** A certificate authority (Fulcio) or timestamp authority: its chain, leaf or intermediate first, root last. */
export interface CertificateAuthority {
  readonly uri: string;
  readonly chain: readonly SigstoreCertificate[];
  readonly validFor: ValidFor;
}

/** Everything a verification may trust, read once from one root. */
export interface SigstoreTrust {
  /** Where it came from, for messages: `embedded public-good root`, a file path or a TUF mirror. */
  readonly origin: string;
  /** Rekor keys by hex log ID. */
  readonly tlogs: ReadonlyMap<string, readonly LogKey[]>;
  /** CT log keys by hex log ID. */
  readonly ctlogs: ReadonlyMap<string, readonly LogKey[]>;
  readonly fulcio: readonly CertificateAuthority[];
  readonly timestampAuthorities: readonly CertificateAuthority[];
  /** The same facts in @sigstore/verify's form, for its Verifier. */
  readonly trustMaterial: TrustMaterial;
}

/** The embedded default: the public-good trusted root that @sigstore/tuf ships as its offline seed. */
const EMBEDDED_ORIGIN = 'embedded public-good root';

export async function loadTrustedRoot(source: TrustedRootSource): Promise<SigstoreTrust> {
  switch (source.kind) {
    case 'embedded':
      return trustFromJson(embeddedTrustedRootJson(), EMBEDDED_ORIGIN);
    case 'file': {
      let text: string;
      try {
        text = await readTextFileLimited(source.path, MAX_TRUSTED_ROOT_BYTES);
      } catch (err) {
        throw new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root ${source.path} ${(err as Error).message}`, { cause: err });
      }
      return trustFromJson(text, source.path);
    }
    case 'tuf':
      return trustFromJson(await trustedRootFromTuf(source), `TUF mirror ${source.mirror}`);
  }
}

/** A trusted root from the text of a trusted_root.json; `origin` names it in messages. */
export function trustFromJson(text: string, origin: string): SigstoreTrust {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root ${origin} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const mediaType = typeof json === 'object' && json !== null ? (json as { mediaType?: unknown }).mediaType : undefined;
  if (typeof mediaType !== 'string' || !mediaType.startsWith(TRUSTED_ROOT_MEDIA_TYPE_PREFIX)) {
    throw new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root ${origin} has media type ${JSON.stringify(mediaType)}, not ${TRUSTED_ROOT_MEDIA_TYPE_PREFIX}+json`);
  }
  checkValidityStarts(json as Record<string, unknown>, origin);
  try {
    return fromTrustedRoot(TrustedRoot.fromJSON(json), origin);
  } catch (err) {
    throw new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root ${origin} cannot be used: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Every key and authority's validity starts somewhere (protobuf-specs TimeRange.start is required): a root
 * that leaves one out is malformed, not open-ended, or a revoked key could be read as valid forever.
 */
function checkValidityStarts(json: Record<string, unknown>, origin: string): void {
  const list = (name: string): Record<string, unknown>[] => (Array.isArray(json[name]) ? (json[name] as Record<string, unknown>[]) : []);
  const checks: [string, (entry: Record<string, unknown>) => unknown][] = [
    ['tlogs', (entry) => entry['publicKey']],
    ['ctlogs', (entry) => entry['publicKey']],
    ['certificateAuthorities', (entry) => entry],
    ['timestampAuthorities', (entry) => entry],
  ];
  for (const [name, holder] of checks) {
    list(name).forEach((entry, index) => {
      const validFor = (holder(entry) as { validFor?: { start?: unknown } } | undefined)?.validFor;
      if (typeof validFor?.start !== 'string') {
        throw new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root ${origin}: ${name}[${index}] has no validFor.start`);
      }
    });
  }
}

function fromTrustedRoot(root: TrustedRoot, origin: string): SigstoreTrust {
  const trustMaterial = toTrustMaterial(root);
  const byLogId = (logs: TrustMaterial['tlogs']): Map<string, LogKey[]> => {
    const map = new Map<string, LogKey[]>();
    for (const log of logs) {
      const key: LogKey = { logId: log.logID.toString('hex'), baseUrl: log.baseURL, publicKey: log.publicKey, validFor: log.validFor };
      map.set(key.logId, [...(map.get(key.logId) ?? []), key]);
    }
    return map;
  };
  const authorities = (cas: TrustMaterial['certificateAuthorities'], source: TrustedRoot['certificateAuthorities']): CertificateAuthority[] =>
    cas.map((ca, index) => ({ uri: source[index]?.uri ?? '', chain: ca.certChain, validFor: ca.validFor }));
  return {
    origin,
    tlogs: byLogId(trustMaterial.tlogs),
    ctlogs: byLogId(trustMaterial.ctlogs),
    fulcio: authorities(trustMaterial.certificateAuthorities, root.certificateAuthorities),
    timestampAuthorities: authorities(trustMaterial.timestampAuthorities, root.timestampAuthorities),
    trustMaterial,
  };
}

function embeddedTrustedRootJson(): string {
  const target = tufSeed().targets[TRUSTED_ROOT_TARGET];
  if (target === undefined) throw new SigstoreError('TRUSTED_ROOT_INVALID', `the installed @sigstore/tuf has no embedded ${TRUSTED_ROOT_TARGET} for ${PUBLIC_GOOD_TUF_MIRROR}`);
  return Buffer.from(target, 'base64').toString('utf8');
}

/** A log key given as PEM (cosign's --rekor-public-key / --ctlog-public-key, Kyverno's rekor.pubKey / ctlog.pubKey), open-ended. */
export function logKeyFromPem(pem: string, baseUrl = ''): LogKey {
  const block = readPem(pem, 1).blocks[0];
  if (!block?.der || block.label !== 'PUBLIC KEY') {
    throw new SigstoreError('TRUSTED_ROOT_INVALID', 'a transparency log public key must be one PEM "PUBLIC KEY" block');
  }
  let publicKey: KeyObject;
  try {
    publicKey = sigstoreCrypto.createPublicKey(Buffer.from(block.der), 'spki');
  } catch (err) {
    throw new SigstoreError('TRUSTED_ROOT_INVALID', `a transparency log public key cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return {
    logId: hexDigest('sha256', block.der),
    baseUrl,
    publicKey,
    validFor: { start: new Date(0), end: new Date(8_640_000_000_000_000) },
  };
}
