// Generates X.509 keys, certificates and chains that meet (or deliberately break) the Notary certificate requirements.
import { KeyObject, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
import { EKU_OID, x509 } from '../../pki/index.js';
import { NotaryError } from '../errors.js';
import { DEFAULT_VALIDITY_DAYS, KEY_TYPES, type KeyType } from '../types.js';


// @peculiar/x509 signs through WebCrypto; Node's implementation is the provider.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { DEFAULT_VALIDITY_DAYS, KEY_TYPES, NOTARY_KEY_TYPES, type KeyType } from '../types.js';

/** Root and intermediate CAs outlive the leaves they issue so a leaf's dates decide a test. */
export const DEFAULT_CA_VALIDITY_DAYS = 3650;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Backdating notBefore a little keeps a fresh certificate valid on machines whose clocks differ slightly. */
const NOT_BEFORE_BACKDATE_MS = 5 * 60 * 1000;

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

/** Extended key usage OIDs used by the Notary requirements (the x509 module's table). */
export const EKU = EKU_OID;

export interface BasicConstraintsOption {
  ca: boolean;
  pathLength?: number;
  /** Default true: the Notary requirements want it critical on CAs. */
  critical?: boolean;
}

export interface KeyUsageOption {
  usages: KeyUsageName[];
  /** Default true: the Notary requirements want it critical. */
  critical?: boolean;
}

export interface ExtendedKeyUsageOption {
  /** OIDs, e.g. `EKU.codeSigning`. */
  usages: string[];
  critical?: boolean;
}

/** What a certificate is for; picks its default extensions. */
export type CertificatePurpose = 'ca' | 'codeSigning' | 'timeStamping' | 'ocspSigning';

export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface CertificateOptions {
  commonName: string;
  /** Full distinguished name (RFC 4514 string in DER order, e.g. `C=US, O=Notary, CN=x`); overrides commonName. */
  subject?: string;
  /** Default `rsa-2048`. */
  keyType?: KeyType;
  /** Reuse a key pair (generating RSA keys is slow); must match keyType. */
  keys?: CryptoKeyPair;
  /** Validity in days from notBefore (default 365, CAs 3650). */
  validity?: number;
  notBefore?: Date;
  notAfter?: Date;
  /** Hex serial number; random when absent. */
  serialNumber?: string;
  /** Defaults from `purpose`; `null` omits the extension. */
  basicConstraints?: BasicConstraintsOption | null;
  keyUsage?: KeyUsageOption | null;
  extendedKeyUsage?: ExtendedKeyUsageOption | null;
  /** Default `codeSigning` for leaves, `ca` for roots and intermediates. */
  purpose?: CertificatePurpose;
  /** Hash of the issuer's signature on the certificate (default by issuer key; SHA-1 only for negative tests). */
  signatureHash?: HashName;
  /** Extra extensions, e.g. CRL distribution points or authority information access. */
  extensions?: x509.Extension[];
}

export interface GeneratedCertificate {
  certificate: x509.X509Certificate;
  der: Uint8Array;
  pem: string;
  keyType: KeyType;
  keys: CryptoKeyPair;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key. */
  privateKeyPem: string;
}

const KEY_USAGE_FLAGS: Record<KeyUsageName, x509.KeyUsageFlags> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
};

type KeyAlgorithm = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams | { name: 'Ed25519' };

function keyAlgorithm(keyType: KeyType): KeyAlgorithm {
  const rsa = (modulusLength: number): webcrypto.RsaHashedKeyGenParams => ({
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  });
  switch (keyType) {
    case 'rsa-1024':
      return rsa(1024);
    case 'rsa-2048':
      return rsa(2048);
    case 'rsa-3072':
      return rsa(3072);
    case 'rsa-4096':
      return rsa(4096);
    case 'ec-256':
      return { name: 'ECDSA', namedCurve: 'P-256' };
    case 'ec-384':
      return { name: 'ECDSA', namedCurve: 'P-384' };
    case 'ec-521':
      return { name: 'ECDSA', namedCurve: 'P-521' };
    case 'ed25519':
      return { name: 'Ed25519' };
  }
}

/** Generate a key pair of `keyType` (extractable, so it can be exported as PEM and KeyObject). */
export async function generateKeyPair(keyType: KeyType): Promise<CryptoKeyPair> {
  if (!KEY_TYPES.includes(keyType)) {
    throw new NotaryError('INVALID_INPUT', `unknown key type "${String(keyType)}"; use one of ${KEY_TYPES.join(', ')}`);
  }
  return (await webcrypto.subtle.generateKey(keyAlgorithm(keyType), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** The issuer key's default certificate signature hash: the one that matches its strength. */
function defaultHash(keyType: KeyType): HashName {
  if (keyType === 'ec-384') return 'SHA-384';
  if (keyType === 'ec-521') return 'SHA-512';
  return 'SHA-256';
}

function signingAlgorithm(keyType: KeyType, hash: HashName): webcrypto.Algorithm | webcrypto.EcdsaParams {
  if (keyType.startsWith('rsa-')) return { name: 'RSASSA-PKCS1-v1_5', hash } as webcrypto.Algorithm;
  if (keyType.startsWith('ec-')) return { name: 'ECDSA', hash } as webcrypto.EcdsaParams;
  return { name: 'Ed25519' };
}

function defaultExtensionsFor(purpose: CertificatePurpose): {
  basicConstraints: BasicConstraintsOption | null;
  keyUsage: KeyUsageOption;
  extendedKeyUsage: ExtendedKeyUsageOption | null;
} {
  switch (purpose) {
    case 'ca':
      return {
        basicConstraints: { ca: true, critical: true },
        keyUsage: { usages: ['keyCertSign', 'cRLSign'], critical: true },
        extendedKeyUsage: null,
      };
    case 'codeSigning':
      return {
        basicConstraints: { ca: false, critical: true },
        keyUsage: { usages: ['digitalSignature'], critical: true },
        extendedKeyUsage: { usages: [EKU.codeSigning], critical: false },
      };
    case 'timeStamping':
      return {
        basicConstraints: { ca: false, critical: true },
        keyUsage: { usages: ['digitalSignature'], critical: true },
        extendedKeyUsage: { usages: [EKU.timeStamping], critical: true },
      };
    case 'ocspSigning':
      return {
        basicConstraints: { ca: false, critical: true },
        keyUsage: { usages: ['digitalSignature'], critical: true },
        extendedKeyUsage: { usages: [EKU.ocspSigning], critical: false },
      };
  }
}

function subjectName(options: CertificateOptions): string {
  return options.subject ?? `C=US, ST=WA, L=Seattle, O=Notary, CN=${options.commonName}`;
}

function validityOf(options: CertificateOptions, purpose: CertificatePurpose): { notBefore: Date; notAfter: Date } {
  const notBefore = options.notBefore ?? new Date(Date.now() - NOT_BEFORE_BACKDATE_MS);
  const days = options.validity ?? (purpose === 'ca' ? DEFAULT_CA_VALIDITY_DAYS : DEFAULT_VALIDITY_DAYS);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + days * DAY_MS);
  return { notBefore, notAfter };
}

async function buildExtensions(
  options: CertificateOptions,
  purpose: CertificatePurpose,
  publicKey: CryptoKey,
  issuer: GeneratedCertificate | undefined,
): Promise<x509.Extension[]> {
  const defaults = defaultExtensionsFor(purpose);
  const basicConstraints = options.basicConstraints === undefined ? defaults.basicConstraints : options.basicConstraints;
  const keyUsage = options.keyUsage === undefined ? defaults.keyUsage : options.keyUsage;
  const extendedKeyUsage = options.extendedKeyUsage === undefined ? defaults.extendedKeyUsage : options.extendedKeyUsage;
  const extensions: x509.Extension[] = [];
  if (basicConstraints) {
    extensions.push(
      new x509.BasicConstraintsExtension(basicConstraints.ca, basicConstraints.pathLength, basicConstraints.critical ?? true),
    );
  }
  if (keyUsage) {
    const flags = keyUsage.usages.reduce((acc, name) => acc | KEY_USAGE_FLAGS[name], 0);
    extensions.push(new x509.KeyUsagesExtension(flags, keyUsage.critical ?? true));
  }
  if (extendedKeyUsage) {
    extensions.push(new x509.ExtendedKeyUsageExtension(extendedKeyUsage.usages, extendedKeyUsage.critical ?? false));
  }
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(publicKey));
  if (issuer) {
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate));
  }
  extensions.push(...(options.extensions ?? []));
  return extensions;
}

async function toGenerated(certificate: x509.X509Certificate, keyType: KeyType, keys: CryptoKeyPair): Promise<GeneratedCertificate> {
  const privateKey = KeyObject.from(keys.privateKey);
  const publicKey = KeyObject.from(keys.publicKey);
  return {
    certificate,
    der: new Uint8Array(certificate.rawData),
    pem: certificate.toString('pem') + '\n',
    keyType,
    keys,
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Issue a certificate. Without `issuer` it is self-signed (a root, or a self-signed leaf
 * like `notation cert generate-test` makes).
 */
export async function issueCertificate(
  options: CertificateOptions,
  issuer?: GeneratedCertificate,
  defaultPurpose: CertificatePurpose = 'codeSigning',
): Promise<GeneratedCertificate> {
  const keyType = options.keyType ?? 'rsa-2048';
  const purpose = options.purpose ?? defaultPurpose;
  const keys = options.keys ?? (await generateKeyPair(keyType));
  const { notBefore, notAfter } = validityOf(options, purpose);
  const extensions = await buildExtensions(options, purpose, keys.publicKey, issuer);
  const signerKeyType = issuer?.keyType ?? keyType;
  const hash = options.signatureHash ?? defaultHash(signerKeyType);
  const base = {
    serialNumber: options.serialNumber ?? randomSerial(),
    notBefore,
    notAfter,
    extensions,
    signingAlgorithm: signingAlgorithm(signerKeyType, hash),
  };
  const subject = subjectName(options);
  const certificate = issuer
    ? await x509.X509CertificateGenerator.create({
        ...base,
        subject,
        issuer: issuer.certificate.subjectName,
        publicKey: keys.publicKey,
        signingKey: await signingKeyFor(issuer.keys.privateKey, hash),
      })
    : await x509.X509CertificateGenerator.create({
        ...base,
        subject,
        issuer: subject,
        publicKey: keys.publicKey,
        signingKey: await signingKeyFor(keys.privateKey, hash),
      });
  return toGenerated(certificate, keyType, keys);
}

/** WebCrypto RSA keys carry their hash; a certificate signed with another hash needs the key re-imported with it. */
async function signingKeyFor(key: CryptoKey, hash: HashName): Promise<CryptoKey> {
  const algorithm = key.algorithm as webcrypto.RsaHashedKeyAlgorithm;
  if (algorithm.name !== 'RSASSA-PKCS1-v1_5' || algorithm.hash.name === hash) return key;
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // A positive INTEGER: clear the top bit so the DER encoding needs no sign byte.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

export interface TestCertificateOptions {
  commonName: string;
  /** Default `rsa-2048`, as notation's. */
  keyType?: KeyType;
  /** Validity in days (default 365). */
  validity?: number;
  notBefore?: Date;
  notAfter?: Date;
  keys?: CryptoKeyPair;
}

/**
 * A self-signed code-signing certificate like `notation cert generate-test` creates: subject
 * `C=US, ST=WA, L=Seattle, O=Notary, CN=<name>`, keyUsage digitalSignature (critical), EKU
 * codeSigning, no basicConstraints. A chain of only this certificate meets the leaf rules.
 */
export async function generateTestCertificate(options: TestCertificateOptions): Promise<GeneratedCertificate> {
  return issueCertificate({ ...options, purpose: 'codeSigning', basicConstraints: null });
}

export interface ChainOptions {
  /** Key type of every certificate unless a level overrides it (default `rsa-2048`). */
  keyType?: KeyType;
  /** Overrides for the root CA (default CN `<leaf CN> Root CA`). */
  root?: Partial<CertificateOptions>;
  /** Intermediates below the root, top first. */
  intermediates?: Partial<CertificateOptions>[];
  /** Shorthand for one intermediate (`true` = defaults). */
  intermediate?: Partial<CertificateOptions> | boolean;
  /** Overrides for the leaf. */
  leaf?: Partial<CertificateOptions>;
  /** Leaf common name (default `imgverify test signer`). */
  commonName?: string;
}

export interface GeneratedChain {
  root: GeneratedCertificate;
  intermediates: GeneratedCertificate[];
  leaf: GeneratedCertificate;
  /** DER certificates, leaf first, as envelopes carry them. */
  chain: Uint8Array[];
  /** PEM bundle, leaf first, as `imgverify sign --cert` reads it. */
  chainPem: string;
}

/** Root CA → optional intermediates → code-signing leaf. Every level takes CertificateOptions overrides. */
export async function generateCertificateChain(options: ChainOptions = {}): Promise<GeneratedChain> {
  const keyType = options.keyType ?? 'rsa-2048';
  const leafName = options.commonName ?? options.leaf?.commonName ?? 'imgverify test signer';
  const root = await issueCertificate({ commonName: `${leafName} Root CA`, keyType, purpose: 'ca', ...options.root }, undefined, 'ca');
  const intermediateOptions = [
    ...(options.intermediates ?? []),
    ...(options.intermediate === true ? [{}] : typeof options.intermediate === 'object' ? [options.intermediate] : []),
  ];
  const intermediates: GeneratedCertificate[] = [];
  let issuer = root;
  for (const [index, overrides] of intermediateOptions.entries()) {
    const intermediate = await issueCertificate(
      { commonName: `${leafName} Intermediate CA ${index + 1}`, keyType, purpose: 'ca', ...overrides },
      issuer,
      'ca',
    );
    intermediates.push(intermediate);
    issuer = intermediate;
  }
  const leaf = await issueCertificate({ commonName: leafName, keyType, ...options.leaf }, issuer, 'codeSigning');
  const ordered = [leaf, ...[...intermediates].reverse(), root];
  return {
    root,
    intermediates,
    leaf,
    chain: ordered.map((c) => c.der),
    chainPem: ordered.map((c) => c.pem).join(''),
  };
}
