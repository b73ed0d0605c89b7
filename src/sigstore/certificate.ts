// Keyless certificates: a Fulcio leaf chained to a trusted CA at the signing time, allowed to sign code, with valid embedded SCTs and the identity a policy asks for.
import type { KeyObject } from 'node:crypto';
import { X509Certificate as SigstoreCertificate, crypto as sigstoreCrypto } from '@sigstore/core';
import type { TLogAuthority } from '@sigstore/verify/dist/trust/index.js';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import { readPem } from '../pki/index.js';
import { MAX_CHAIN_CERTIFICATES, OID_EKU_ANY, OID_EKU_CODE_SIGNING } from './constants.js';
import { SigstoreError } from './errors.js';
import { checkIdentity, certificateIdentity, validateIdentityPolicy, type IdentityPolicy, type CertificateIdentity } from './identity.js';
import { logKeyFromPem, type CertificateAuthority, type LogKey, type SigstoreTrust } from './trust.js';

export interface KeylessCertificateOptions {
  /** The leaf, DER. */
  certificate: Uint8Array;
  /** Untrusted intermediates given with the leaf (cosign's `chain` annotation, a bundle's chain), DER. */
  chain?: readonly Uint8Array[];
  /** When the signature was made, as something trusted says: the Rekor integrated time or a TSA's time. */
  signedAt: Date;
  /** The trusted root: its Fulcio CAs (unless `roots`) and its CT logs (unless `ctlogPublicKeys`). */
  trust?: SigstoreTrust;
  identity: IdentityPolicy;
  /** Skip the embedded SCT check (cosign --insecure-ignore-sct, Kyverno ctlog.ignoreSCT). */
  ignoreSCT?: boolean;
  /** CT log keys to use instead of the root's (Kyverno ctlog.pubKey, cosign --ctlog-public-key), PEM. */
  ctlogPublicKeys?: readonly string[];
  /** Root certificates to use instead of the root's Fulcio CAs (Kyverno keyless.roots), PEM. */
  roots?: string;
}

/** What a verified keyless certificate establishes. */
export interface VerifiedKeylessCertificate extends CertificateIdentity {
  /** The signer's key, to verify the signature with. */
  readonly publicKey: KeyObject;
  /** The verified path, leaf first, DER. */
  readonly path: readonly Uint8Array[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Hex log IDs of the CT logs whose SCTs verified (empty when ignored). */
  readonly sctLogIds: readonly string[];
}

const OID_EXT_KEY_USAGE = '2.5.29.37';
const OPEN_ENDED = { start: new Date(0), end: new Date(8_640_000_000_000_000) };

export function verifyKeylessCertificate(options: KeylessCertificateOptions): VerifiedKeylessCertificate {
  validateIdentityPolicy(options.identity);
  const leaf = parseCertificate(options.certificate, 'the signing certificate');
  const chain = options.chain ?? [];
  if (chain.length > MAX_CHAIN_CERTIFICATES) {
    throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `the certificate chain has ${chain.length} certificates, more than the limit of ${MAX_CHAIN_CERTIFICATES}`);
  }
  const intermediates = chain.map((der, index) => parseCertificate(der, `chain certificate ${index + 1}`));
  const signedAt = options.signedAt;
  const when = signedAt.toISOString();

  if (!leaf.validForDate(signedAt)) {
    throw new SigstoreError(
      'CERTIFICATE_EXPIRED',
      `the signing certificate was valid from ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()}, not at the signing time ${when}`,
    );
  }
  const authorities = certificateAuthorities(options);
  const current = authorities.filter((ca) => ca.validFor.start <= signedAt && signedAt <= ca.validFor.end);
  if (current.length === 0) {
    throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `no Fulcio CA of ${rootsName(options)} was valid at the signing time ${when}`);
  }
  let path: SigstoreCertificate[] | undefined;
  for (const ca of current) {
    path = buildPath(leaf, intermediates, ca);
    if (path) break;
  }
  if (!path) throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `the signing certificate does not chain to a Fulcio CA of ${rootsName(options)}`);
  if (path.length < 2) throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', 'the signing certificate is a CA certificate of the trusted root, not a certificate it issued');
  checkPath(path, signedAt);
  checkCodeSigning(path);

  const issuer = path[1];
  let sctLogIds: string[] = [];
  if (!options.ignoreSCT && issuer) sctLogIds = checkScts(leaf, issuer, options);

  const identity = certificateIdentity(leaf);
  checkIdentity(identity, options.identity, leaf);
  return {
    ...identity,
    publicKey: sigstoreCrypto.createPublicKey(leaf.publicKey),
    path: path.map((certificate) => new Uint8Array(certificate.root.toDER())),
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    sctLogIds,
  };
}

function parseCertificate(der: Uint8Array, name: string): SigstoreCertificate {
  try {
    return SigstoreCertificate.parse(Buffer.from(der));
  } catch (err) {
    throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `${name} is not a DER X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

function rootsName(options: KeylessCertificateOptions): string {
  return options.roots !== undefined ? 'the given roots' : (options.trust?.origin ?? 'the trusted root');
}

function certificateAuthorities(options: KeylessCertificateOptions): readonly CertificateAuthority[] {
  if (options.roots !== undefined) {
    const blocks = readPem(options.roots, MAX_CHAIN_CERTIFICATES).blocks.filter((block) => block.label === 'CERTIFICATE');
    if (blocks.length === 0 || blocks.length > MAX_CHAIN_CERTIFICATES) {
      throw new SigstoreError('SIGSTORE_POLICY_INVALID', `roots must hold 1 to ${MAX_CHAIN_CERTIFICATES} PEM certificates, not ${blocks.length}`);
    }
    // Each root is an anchor of its own: a leaf may chain to any of them.
    return blocks.map((block, index) => ({ uri: '', chain: [parseRoot(block.der, index)], validFor: OPEN_ENDED }));
  }
  if (!options.trust) throw new SigstoreError('SIGSTORE_POLICY_INVALID', 'a keyless certificate needs a trusted root or roots to chain to');
  return options.trust.fulcio;
}

function parseRoot(der: Uint8Array | undefined, index: number): SigstoreCertificate {
  if (!der) throw new SigstoreError('SIGSTORE_POLICY_INVALID', `roots certificate ${index + 1} has no base64 body`);
  try {
    return SigstoreCertificate.parse(Buffer.from(der));
  } catch (err) {
    throw new SigstoreError('SIGSTORE_POLICY_INVALID', `roots certificate ${index + 1} is not an X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The path from `leaf` through untrusted `intermediates` to a certificate of `ca`'s chain, then up
 * the rest of that chain. Each certificate is expanded once, so crafted cycles cannot loop.
 */
function buildPath(leaf: SigstoreCertificate, intermediates: readonly SigstoreCertificate[], ca: CertificateAuthority): SigstoreCertificate[] | undefined {
  const expanded = new Set<SigstoreCertificate>();
  const issuedBy = (child: SigstoreCertificate, parent: SigstoreCertificate): boolean => {
    if (!child.issuer.equals(parent.subject)) return false;
    try {
      return child.verify(parent);
    } catch {
      return false;
    }
  };
  const walk = (path: SigstoreCertificate[]): SigstoreCertificate[] | undefined => {
    const tip = path[path.length - 1];
    if (!tip || expanded.has(tip) || path.length > MAX_CHAIN_CERTIFICATES + 1) return undefined;
    expanded.add(tip);
    const anchor = ca.chain.findIndex((trusted) => issuedBy(tip, trusted));
    const trusted = ca.chain[anchor];
    if (trusted) {
      // A self-signed trusted root issued itself: the path ends there; else go on up the CA's own chain.
      const rest = trusted.equals(tip) ? [] : [trusted, ...ca.chain.slice(anchor + 1)];
      return [...path, ...rest];
    }
    for (const candidate of intermediates) {
      if (path.includes(candidate) || !issuedBy(tip, candidate)) continue;
      const found = walk([...path, candidate]);
      if (found) return found;
    }
    return undefined;
  };
  return walk([leaf]);
}

/** RFC 5280 rules sigstore-js also checks: CAs above the leaf, path lengths, every certificate valid at the signing time. */
function checkPath(path: readonly SigstoreCertificate[], signedAt: Date): void {
  path.forEach((certificate, depth) => {
    if (depth > 0 && !certificate.isCA) {
      throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `chain certificate ${depth} of the signing certificate's path is not a CA`);
    }
    const pathLength = certificate.extBasicConstraints?.pathLenConstraint;
    if (depth > 0 && pathLength !== undefined && pathLength < BigInt(depth - 1)) {
      throw new SigstoreError('INVALID_CERTIFICATE_CHAIN', `chain certificate ${depth} allows ${pathLength} intermediates below it, the path has ${depth - 1}`);
    }
    if (!certificate.validForDate(signedAt)) {
      throw new SigstoreError(
        'CERTIFICATE_EXPIRED',
        `chain certificate ${depth} was valid from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, not at the signing time ${signedAt.toISOString()}`,
      );
    }
  });
}

/** Go's x509 rule, as cosign applies it: a certificate without extended key usage allows any; one with it must allow code signing. */
function checkCodeSigning(path: readonly SigstoreCertificate[]): void {
  path.slice(0, -1).forEach((certificate, depth) => {
    const extension = certificate.extension(OID_EXT_KEY_USAGE);
    if (!extension) return;
    const usages = (extension.valueObj.subs[0]?.subs ?? []).map((usage) => usage.toOID());
    if (!usages.includes(OID_EKU_CODE_SIGNING) && !usages.includes(OID_EKU_ANY)) {
      const which = depth === 0 ? 'the signing certificate' : `chain certificate ${depth}`;
      throw new SigstoreError('CERTIFICATE_USAGE_INVALID', `${which} does not allow code signing (extended key usage ${usages.join(', ')})`);
    }
  });
}

function checkScts(leaf: SigstoreCertificate, issuer: SigstoreCertificate, options: KeylessCertificateOptions): string[] {
  const keys: LogKey[] = options.ctlogPublicKeys
    ? options.ctlogPublicKeys.map((pem) => logKeyFromPem(pem))
    : [...(options.trust?.ctlogs.values() ?? [])].flat();
  const ctlogs: TLogAuthority[] = keys.map((key) => ({ logID: Buffer.from(key.logId, 'hex'), baseURL: key.baseUrl, publicKey: key.publicKey, validFor: key.validFor }));
  let verified: Buffer[];
  try {
    verified = verifySCTs(leaf, issuer, ctlogs);
  } catch (err) {
    throw new SigstoreError('SCT_INVALID', `an embedded SCT of the signing certificate does not verify with the CT log keys of ${ctlogName(options)}`, { cause: err });
  }
  if (verified.length === 0) {
    throw new SigstoreError('SCT_MISSING', 'the signing certificate has no embedded SCT (set ignoreSCT only for a CA that does not log to CT)');
  }
  return verified.map((logId) => logId.toString('hex'));
}

function ctlogName(options: KeylessCertificateOptions): string {
  return options.ctlogPublicKeys ? 'the given CT log public keys' : (options.trust?.origin ?? 'the trusted root');
}
