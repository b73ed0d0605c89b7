// Serving TLS for the API port: given cert/key files, or a generated self-signed CA and serving pair kept on disk.
import { createPrivateKey, randomBytes, webcrypto, X509Certificate as NodeX509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { readTextFileLimited } from '../common/index.js';
import { readPem, toPem, x509 } from '../pki/index.js';
import { MAX_TLS_FILE_BYTES, TLS_CA_VALIDITY_DAYS, TLS_RENEW_BEFORE_MS, TLS_SERVING_VALIDITY_DAYS } from './constants.js';
import { ServiceError } from './errors.js';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const DAY_MS = 24 * 3600 * 1000;
/** Backdate notBefore so clients with a slightly slow clock accept a fresh certificate. */
const NOT_BEFORE_BACKDATE_MS = 5 * 60 * 1000;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** File names under the certificate directory, as a Kubernetes TLS secret names its keys. */
const CA_CERT_FILE = 'ca.crt';
const CA_KEY_FILE = 'ca.key';
export const SERVING_CERT_FILE = 'tls.crt';
export const SERVING_KEY_FILE = 'tls.key';

export interface ServingTls {
  /** PEM: serving certificate. */
  cert: string;
  /** PEM: PKCS#8 private key. */
  key: string;
  notAfter: Date;
  /** Path of the CA certificate clients must trust (generated mode only). */
  caCertPath?: string;
  /** PEM of that CA. */
  caCert?: string;
  generated: boolean;
}

export interface GeneratedTlsOptions {
  /** Directory holding ca.crt/ca.key/tls.crt/tls.key; reused across restarts so clients keep trusting the CA. */
  certDir: string;
  /** DNS names and IP addresses the serving certificate covers. */
  hosts: readonly string[];
  now?: Date;
}

/** One PKCS#8 private key in PEM, as the pairs here are written. */
function privateKeyPem(pkcs8: ArrayBuffer): string {
  return toPem('PRIVATE KEY', new Uint8Array(pkcs8));
}

/** The CA's signing key from its PKCS#8 PEM; throws when the text holds none. */
async function importCaKey(pem: string): Promise<CryptoKey> {
  const der = readPem(pem).blocks[0]?.der;
  if (!der) throw new Error('no PEM private key');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
}

function serialNumber(): string {
  // Positive 64-bit serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

async function writePrivate(path: string, text: string): Promise<void> {
  // Write then rename: a crash never leaves a half-written key next to a certificate.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
}

async function generateCa(now: Date): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: 'CN=imgverify serving CA',
    notBefore: new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS),
    notAfter: new Date(now.getTime() + TLS_CA_VALIDITY_DAYS * DAY_MS),
    keys,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

async function issueServing(
  ca: { cert: x509.X509Certificate; privateKey: CryptoKey },
  hosts: readonly string[],
  now: Date,
): Promise<{ cert: x509.X509Certificate; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = hosts.map((host) => (isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }));
  const notAfter = Math.min(now.getTime() + TLS_SERVING_VALIDITY_DAYS * DAY_MS, ca.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${hosts.find((h) => !isIP(h)) ?? hosts[0] ?? 'localhost'}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - NOT_BEFORE_BACKDATE_MS),
    notAfter: new Date(notAfter),
    publicKey: keys.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: KEY_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert, keyPem: privateKeyPem(pkcs8) };
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function coversHosts(cert: NodeX509Certificate, hosts: readonly string[]): boolean {
  const san = cert.subjectAltName ?? '';
  return hosts.every((h) => san.includes(isIP(h) ? `IP Address:${h}` : `DNS:${h}`));
}

/**
 * Reuse the CA and serving pair in `certDir` when they are valid and cover `hosts`; otherwise
 * issue a new serving pair (from the existing CA when it has long enough to live), as the
 * peer's leader does with its Secrets.
 */
export async function ensureGeneratedTls(options: GeneratedTlsOptions): Promise<ServingTls> {
  const now = options.now ?? new Date();
  await mkdir(options.certDir, { recursive: true, mode: 0o700 });
  const caCertPath = join(options.certDir, CA_CERT_FILE);
  const caKeyPath = join(options.certDir, CA_KEY_FILE);
  const certPath = join(options.certDir, SERVING_CERT_FILE);
  const keyPath = join(options.certDir, SERVING_KEY_FILE);

  const [caPem, caKeyPem, certPem, keyPem] = await Promise.all([caCertPath, caKeyPath, certPath, keyPath].map(readIfPresent));
  let ca: { cert: x509.X509Certificate; privateKey: CryptoKey } | undefined;
  if (caPem && caKeyPem) {
    try {
      const cert = new x509.X509Certificate(caPem);
      if (cert.notAfter.getTime() - now.getTime() > TLS_RENEW_BEFORE_MS * 2) {
        ca = { cert, privateKey: await importCaKey(caKeyPem) };
      }
    } catch {
      ca = undefined; // unreadable or foreign: start over with a new CA
    }
  }
  if (ca && certPem && keyPem) {
    try {
      const serving = new NodeX509Certificate(certPem);
      const notAfter = new Date(serving.validTo);
      if (serving.checkIssued(new NodeX509Certificate(ca.cert.toString('pem'))) && notAfter.getTime() - now.getTime() > TLS_RENEW_BEFORE_MS && coversHosts(serving, options.hosts)) {
        return { cert: certPem, key: keyPem, notAfter, caCertPath, caCert: ca.cert.toString('pem'), generated: true };
      }
    } catch {
      // fall through: issue a new pair
    }
  }
  if (!ca) {
    const created = await generateCa(now);
    const caKeyDer = await webcrypto.subtle.exportKey('pkcs8', created.keys.privateKey);
    await writePrivate(caKeyPath, privateKeyPem(caKeyDer));
    await writeFile(caCertPath, created.cert.toString('pem') + '\n');
    ca = { cert: created.cert, privateKey: created.keys.privateKey };
  }
  const serving = await issueServing(ca, options.hosts, now);
  const servingPem = serving.cert.toString('pem') + '\n';
  await writePrivate(keyPath, serving.keyPem);
  await writeFile(certPath, servingPem);
  return { cert: servingPem, key: serving.keyPem, notAfter: serving.cert.notAfter, caCertPath, caCert: ca.cert.toString('pem'), generated: true };
}

/** A certificate (PEM, leaf first) and its PKCS#8 private key (PEM). */
export interface PemKeyPair {
  cert: string;
  key: string;
}

/** A new self-signed serving CA (365 days), as PEM: what the leader keeps in the `tls-ca` Secret. */
export async function issueServingCa(now: Date): Promise<PemKeyPair> {
  const created = await generateCa(now);
  const key = privateKeyPem(await webcrypto.subtle.exportKey('pkcs8', created.keys.privateKey));
  return { cert: created.cert.toString('pem') + '\n', key };
}

/** A serving pair (150 days, never past the CA) for `hosts`, issued by `ca`: what the leader keeps in the `tls-pair` Secret. */
export async function issueServingPair(ca: PemKeyPair, hosts: readonly string[], now: Date): Promise<PemKeyPair> {
  const serving = await issueServing({ cert: new x509.X509Certificate(ca.cert), privateKey: await importCaKey(ca.key) }, hosts, now);
  return { cert: serving.cert.toString('pem') + '\n', key: serving.keyPem };
}

/** Load a serving pair from PEM files (`--tls-cert`, `--tls-key`): a certificate and the private key that belongs to it. */
export async function loadTlsFiles(certFile: string, keyFile: string): Promise<ServingTls> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readTextFileLimited(certFile, MAX_TLS_FILE_BYTES), readTextFileLimited(keyFile, MAX_TLS_FILE_BYTES)]);
  } catch (err) {
    throw new ServiceError('INVALID_TLS', `cannot read the TLS certificate or key (${certFile}, ${keyFile}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let certificate: NodeX509Certificate;
  try {
    certificate = new NodeX509Certificate(cert);
  } catch (err) {
    throw new ServiceError('INVALID_TLS', `${certFile} is not a PEM certificate: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ServiceError('INVALID_TLS', `${keyFile} is not a PEM private key: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  // A pair caught half-replaced (the new key beside the old certificate) is refused here, by name.
  if (!certificate.checkPrivateKey(privateKey)) throw new ServiceError('INVALID_TLS', `${keyFile} is not the private key of the certificate in ${certFile}`);
  return { cert, key, notAfter: new Date(certificate.validTo), generated: false };
}

/** Names the generated serving certificate covers: the Service DNS names Kyverno calls, plus loopback. */
export function servingHosts(serviceName: string, namespace: string | undefined, bindHost: string | undefined): string[] {
  const hosts = new Set<string>([serviceName]);
  if (namespace) {
    hosts.add(`${serviceName}.${namespace}`);
    hosts.add(`${serviceName}.${namespace}.svc`);
    hosts.add(`${serviceName}.${namespace}.svc.cluster.local`);
  }
  hosts.add('localhost');
  hosts.add('127.0.0.1');
  hosts.add('::1');
  if (bindHost && bindHost !== '0.0.0.0' && bindHost !== '::') hosts.add(bindHost);
  return [...hosts];
}
