// RevocationChecker: the revocation status of each certificate of a chain, OCSP first, then CRL (with delta CRLs).
import type { X509Certificate } from '@peculiar/x509';
import type { ErrorInfo } from '../../verification/index.js';
import type { CertificateRevocation } from './types.js';
import { ResponseCache } from './cache.js';
import { describeCertificate, isIssuedBy, type CertificateInfo } from './certificate.js';
import {
  DEFAULT_CRL_TIMEOUT_MS,
  DEFAULT_OCSP_TIMEOUT_MS,
  MAX_CHAIN_LENGTH,
  MAX_CRL_BYTES,
  MAX_OCSP_RESPONSE_BYTES,
  MAX_URLS_PER_CERTIFICATE,
  MEDIA_TYPE_OCSP_REQUEST,
} from './constants.js';
import { checkDeltaMatchesBase, CrlError, deltaCrlUrl, evaluateCrl, parseCrl, validateCrl, type ParsedCrl } from './crl.js';
import type { RevocationEvaluation } from './evaluation.js';
import { crlUrls, ExtensionError, ocspUrls } from './extensions.js';
import { fetchBytes, FetchError } from './http.js';
import { buildOcspRequest, evaluateOcspResponse } from './ocsp.js';

export interface RevocationCheckerOptions {
  /** Time allowed for each OCSP request (default 2 s, notation's; the caller's AbortSignal still bounds the whole check). */
  ocspTimeoutMs?: number;
  /** Time allowed for each CRL fetch (default 5 s, notation's). */
  crlTimeoutMs?: number;
  /** One time for both, where the caller has no reason to tell them apart; the two above take precedence. */
  timeoutMs?: number;
  /** Largest OCSP response or CRL read (default 32 MiB, the CRL limit of notation-core-go). */
  maxResponseBytes?: number;
  /** Keep responses until their nextUpdate (default true). */
  cache?: boolean;
  /** Also keep them on disk in this directory (the CLI's cache). */
  cacheDir?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

export type RevocationPurpose = 'codeSigning' | 'timestamping';

export interface RevocationCheckOptions {
  /** Authentic signing time (from a verified timestamp or the signingAuthority scheme): revocations whose invalidity date is after it do not count. */
  authenticSigningTime?: Date;
  signal?: AbortSignal;
  purpose?: RevocationPurpose;
}

type Source = 'ocsp' | 'crl';

interface SourceResult {
  evaluation: RevocationEvaluation;
  url: string;
  /** True when the source gave a verified answer (good, revoked, or a signed "unknown"). */
  answered: boolean;
}

function errorInfo(code: 'CERTIFICATE_REVOKED' | 'REVOCATION_UNKNOWN', message: string): ErrorInfo {
  return { code, message };
}

function reasonText(reason: number | undefined): string {
  const names = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', '', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
  return reason === undefined ? '' : ` (reason ${names[reason] || reason})`;
}

/**
 * Checks revocation as trust-store-trust-policy.md "Certificate Revocation Evaluation" says: every certificate but
 * the root; OCSP when the certificate names responders, falling back to its CRL distribution points when OCSP
 * gives no answer; a certificate with neither is not checked (`skipped`). Never throws for network trouble: those
 * become `unknown` with an error.
 */
export class RevocationChecker {
  private readonly ocspTimeoutMs: number;
  private readonly crlTimeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly ocspCache: ResponseCache<never> | undefined;
  private readonly crlCache: ResponseCache<ParsedCrl> | undefined;
  private readonly now: () => Date;

  constructor(options: RevocationCheckerOptions = {}) {
    this.ocspTimeoutMs = options.ocspTimeoutMs ?? options.timeoutMs ?? DEFAULT_OCSP_TIMEOUT_MS;
    this.crlTimeoutMs = options.crlTimeoutMs ?? options.timeoutMs ?? DEFAULT_CRL_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_CRL_BYTES;
    const caching = options.cache ?? true;
    this.ocspCache = caching ? new ResponseCache<never>({ dir: options.cacheDir }) : undefined;
    this.crlCache = caching ? new ResponseCache<ParsedCrl>({ dir: options.cacheDir }) : undefined;
    this.now = options.now ?? (() => new Date());
  }

  /** One entry per certificate of `chain` (leaf first, root last); the root is `skipped`. */
  async check(chain: X509Certificate[], options: RevocationCheckOptions = {}): Promise<CertificateRevocation[]> {
    if (chain.length === 0) return [];
    const infos = chain.slice(0, MAX_CHAIN_LENGTH).map((certificate) => describeCertificate(certificate));
    const root = infos[infos.length - 1] as CertificateInfo;
    const rootEntry: CertificateRevocation = {
      subject: root.subject,
      serialNumber: root.serial,
      status: 'skipped',
    };
    if (chain.length > MAX_CHAIN_LENGTH) {
      return infos.map((info) => this.unknownEntry(info, `the certificate chain has more than ${MAX_CHAIN_LENGTH} certificates`));
    }
    // Revocation data is signed by each certificate's issuer: a broken chain makes every answer unverifiable.
    for (let i = 0; i < infos.length - 1; i++) {
      const subject = infos[i] as CertificateInfo;
      const issuer = infos[i + 1] as CertificateInfo;
      if (!isIssuedBy(subject, issuer)) {
        const message = `the certificate chain is invalid: "${subject.subject}" is not issued by "${issuer.subject}"`;
        return [...infos.slice(0, -1).map((info) => this.unknownEntry(info, message)), rootEntry];
      }
    }
    const entries = await Promise.all(
      infos.slice(0, -1).map((info, i) => this.checkCertificate(info, infos[i + 1] as CertificateInfo, options)),
    );
    return [...entries, rootEntry];
  }

  private unknownEntry(info: CertificateInfo, message: string): CertificateRevocation {
    return {
      subject: info.subject,
      serialNumber: info.serial,
      status: 'unknown',
      error: errorInfo('REVOCATION_UNKNOWN', `revocation status of "${info.subject}" is unknown: ${message}`),
    };
  }

  private async checkCertificate(cert: CertificateInfo, issuer: CertificateInfo, options: RevocationCheckOptions): Promise<CertificateRevocation> {
    let ocsp: string[];
    let crl: string[];
    try {
      ocsp = ocspUrls(cert.certificate.extensions).slice(0, MAX_URLS_PER_CERTIFICATE);
      crl = crlUrls(cert.certificate.extensions).slice(0, MAX_URLS_PER_CERTIFICATE);
    } catch (err) {
      return this.unknownEntry(cert, err instanceof ExtensionError ? `the certificate has an ${err.message}` : String(err));
    }
    if (ocsp.length === 0 && crl.length === 0) {
      // Spec: no OCSP or CRL information means no check and "not revoked".
      return { subject: cert.subject, serialNumber: cert.serial, status: 'skipped' };
    }
    const problems: string[] = [];
    const sources: [Source, string[]][] = [
      ['ocsp', ocsp],
      ['crl', crl],
    ];
    for (const [source, urls] of sources) {
      for (const url of urls) {
        const result = source === 'ocsp' ? await this.checkOcsp(url, cert, issuer, options) : await this.checkCrl(url, cert, issuer, options);
        const { evaluation } = result;
        if (evaluation.status === 'good') {
          return { subject: cert.subject, serialNumber: cert.serial, status: 'good', source };
        }
        if (evaluation.status === 'revoked') {
          const when = evaluation.revocationTime ? ` at ${evaluation.revocationTime.toISOString()}` : '';
          const what = options.purpose === 'timestamping' ? 'TSA certificate' : 'certificate';
          return {
            subject: cert.subject,
            serialNumber: cert.serial,
            status: 'revoked',
            source,
            ...(evaluation.revocationTime ? { revocationTime: evaluation.revocationTime.toISOString() } : {}),
            error: errorInfo(
              'CERTIFICATE_REVOKED',
              `${what} "${cert.subject}" (serial ${cert.serial}) was revoked${when}${reasonText(evaluation.reason)} according to ${source.toUpperCase()} ${url}`,
            ),
          };
        }
        problems.push(`${source.toUpperCase()} ${url}: ${evaluation.error ?? 'no answer'}`);
        // A responder that signed "unknown" has answered: other responders would say the same (notation-core-go).
        if (source === 'ocsp' && result.answered) break;
      }
    }
    return this.unknownEntry(cert, problems.join('; '));
  }

  private async checkOcsp(url: string, cert: CertificateInfo, issuer: CertificateInfo, options: RevocationCheckOptions): Promise<SourceResult> {
    const key = `ocsp|${Buffer.from(issuer.publicKeyBits).toString('base64')}|${cert.serial}|${url}`;
    const context = { cert, issuer, now: this.now(), authenticSigningTime: options.authenticSigningTime };
    const cached = await this.ocspCache?.get(key, context.now);
    if (cached) {
      const evaluation = evaluateOcspResponse(cached.der, context);
      if (evaluation.status !== 'unknown') return { evaluation, url, answered: true };
      this.ocspCache?.delete(key);
    }
    let der: Uint8Array;
    try {
      der = await fetchBytes(url, {
        method: 'POST',
        body: buildOcspRequest(cert, issuer),
        contentType: MEDIA_TYPE_OCSP_REQUEST,
        timeoutMs: this.ocspTimeoutMs,
        maxBytes: Math.min(this.maxResponseBytes, MAX_OCSP_RESPONSE_BYTES),
        signal: options.signal,
      });
    } catch (err) {
      return { evaluation: { status: 'unknown', error: err instanceof FetchError ? err.message : String(err) }, url, answered: false };
    }
    const evaluation = evaluateOcspResponse(der, context);
    const answered = evaluation.status !== 'unknown' || evaluation.thisUpdate !== undefined;
    if (evaluation.status !== 'unknown') await this.ocspCache?.set(key, der, evaluation.nextUpdate, context.now);
    return { evaluation, url, answered };
  }

  private async checkCrl(url: string, cert: CertificateInfo, issuer: CertificateInfo, options: RevocationCheckOptions): Promise<SourceResult> {
    const now = this.now();
    try {
      const base = await this.loadCrl(url, issuer, 'base', now, options.signal);
      const deltaUrl = deltaCrlUrl(base);
      const delta = deltaUrl ? await this.loadCrl(deltaUrl, issuer, 'delta', now, options.signal) : undefined;
      if (delta) checkDeltaMatchesBase(base, delta);
      const evaluation = evaluateCrl(base, delta, { cert, now, authenticSigningTime: options.authenticSigningTime });
      return { evaluation, url, answered: true };
    } catch (err) {
      const message = err instanceof CrlError || err instanceof FetchError ? err.message : String(err);
      return { evaluation: { status: 'unknown', error: message }, url, answered: false };
    }
  }

  /** Fetch (or reuse) a CRL and validate it against the issuer; cached until its nextUpdate. */
  private async loadCrl(url: string, issuer: CertificateInfo, kind: 'base' | 'delta', now: Date, signal: AbortSignal | undefined): Promise<ParsedCrl> {
    const key = `crl|${kind}|${Buffer.from(issuer.publicKeyBits).toString('base64')}|${url}`;
    const cached = await this.crlCache?.get(key, now);
    if (cached) {
      try {
        const parsed = cached.parsed ?? parseCrl(cached.der);
        validateCrl(parsed, issuer, now, kind);
        this.crlCache?.remember(key, parsed);
        return parsed;
      } catch {
        this.crlCache?.delete(key);
      }
    }
    const der = await fetchBytes(url, { method: 'GET', timeoutMs: this.crlTimeoutMs, maxBytes: this.maxResponseBytes, signal });
    const parsed = parseCrl(der);
    validateCrl(parsed, issuer, now, kind);
    await this.crlCache?.set(key, der, parsed.crl.nextUpdate, now, parsed);
    return parsed;
  }
}
