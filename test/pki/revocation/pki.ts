// Test CA chains whose AIA / CRL distribution points name the loopback doubles, and CRLs (base and delta) they sign.
import * as asn1js from 'asn1js';
import * as x509 from '@peculiar/x509';
import { issueCertificate, type CertificateOptions, type GeneratedCertificate } from '../../../src/notary/pki/index.js';

export const OID_FRESHEST_CRL = '2.5.29.46';

export interface RevocationUrls {
  ocsp?: string[];
  crl?: string[];
}

export function revocationExtensions(urls: RevocationUrls): x509.Extension[] {
  const extensions: x509.Extension[] = [];
  if (urls.ocsp?.length) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp.map((url) => new x509.GeneralName('url', url)) }));
  if (urls.crl?.length) extensions.push(new x509.CRLDistributionPointsExtension(urls.crl));
  return extensions;
}

export interface TestChain {
  root: GeneratedCertificate;
  intermediate: GeneratedCertificate;
  leaf: GeneratedCertificate;
  /** Leaf first, root last. */
  chain: x509.X509Certificate[];
}

/** Root → intermediate → code-signing leaf (EC P-256, fast to generate) with the given revocation URLs. */
export async function buildChain(options: { leaf?: RevocationUrls; intermediate?: RevocationUrls; leafOptions?: Partial<CertificateOptions> } = {}): Promise<TestChain> {
  const root = await issueCertificate({ commonName: 'Revocation Test Root', purpose: 'ca', keyType: 'ec-256' }, undefined, 'ca');
  const intermediate = await issueCertificate(
    { commonName: 'Revocation Test Intermediate', purpose: 'ca', keyType: 'ec-256', extensions: revocationExtensions(options.intermediate ?? {}) },
    root,
    'ca',
  );
  const leaf = await issueCertificate(
    { commonName: 'Revocation Test Leaf', keyType: 'ec-256', extensions: revocationExtensions(options.leaf ?? {}), ...options.leafOptions },
    intermediate,
    'codeSigning',
  );
  return { root, intermediate, leaf, chain: [leaf.certificate, intermediate.certificate, root.certificate] };
}

/** A delegated OCSP responder certificate issued by `issuer`. */
export async function issueResponder(issuer: GeneratedCertificate, overrides: Partial<CertificateOptions> = {}): Promise<GeneratedCertificate> {
  return issueCertificate({ commonName: 'Revocation Test OCSP Responder', purpose: 'ocspSigning', keyType: 'ec-256', ...overrides }, issuer, 'ocspSigning');
}

export interface CrlEntry {
  serialNumber: string;
  revocationDate?: Date;
  reason?: x509.X509CrlReason;
  invalidity?: Date;
}

export interface CrlOptions {
  number: number;
  thisUpdate?: Date;
  nextUpdate?: Date;
  entries?: CrlEntry[];
  /** Makes it a delta CRL relative to this base CRL number. */
  deltaIndicator?: number;
  /** Freshest CRL extension naming these delta CRL URLs. */
  freshest?: string[];
  /** Freshest CRL extension with exactly this value (for malformed cases). */
  freshestRaw?: Uint8Array;
}

function integerExtension(oid: string, critical: boolean, value: number): x509.Extension {
  return new x509.Extension(oid, critical, new asn1js.Integer({ value }).toBER(false));
}

/** A DER CRL signed by `issuer`. */
export async function makeCrl(issuer: GeneratedCertificate, options: CrlOptions): Promise<Uint8Array> {
  const extensions: x509.Extension[] = [integerExtension('2.5.29.20', false, options.number)];
  if (options.deltaIndicator !== undefined) extensions.push(integerExtension('2.5.29.27', true, options.deltaIndicator));
  if (options.freshest) extensions.push(new x509.Extension(OID_FRESHEST_CRL, false, new x509.CRLDistributionPointsExtension(options.freshest).value));
  if (options.freshestRaw) extensions.push(new x509.Extension(OID_FRESHEST_CRL, false, options.freshestRaw));
  const isEc = issuer.keyType.startsWith('ec-');
  const crl = await x509.X509CrlGenerator.create({
    issuer: issuer.certificate.subjectName,
    thisUpdate: options.thisUpdate ?? new Date(Date.now() - 60_000),
    nextUpdate: options.nextUpdate ?? new Date(Date.now() + 60 * 60 * 1000),
    entries: (options.entries ?? []).map((entry) => ({
      serialNumber: entry.serialNumber,
      revocationDate: entry.revocationDate ?? new Date(Date.now() - 30 * 60 * 1000),
      ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
      ...(entry.invalidity ? { invalidity: entry.invalidity } : {}),
    })),
    extensions,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: isEc ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  });
  return new Uint8Array(crl.rawData);
}
