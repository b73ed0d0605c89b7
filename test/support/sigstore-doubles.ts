// Protocol-level doubles of the Sigstore public-good services (Fulcio, Rekor, a TSA, an OIDC provider) on loopback, reached through
// @sigstore/sign's real clients, with a trusted_root.json built from their keys; and signKeyless(), keyless signing against them.
//
// These are doubles, not the services: the Fulcio double checks the OIDC token's signature against the OIDC double's JWKS and the
// proof of possession, then issues a leaf (root → intermediate → leaf, Fulcio's extensions and SAN kinds) with an embedded SCT
// from a CT log double; the Rekor and TSA doubles are @sigstore/mock's handlers (SET, inclusion proof over a one-entry tree with a
// signed checkpoint; RFC 3161 tokens) served over HTTP.
import { createHash, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify, webcrypto, type KeyPairKeyObjectResult } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { X509Certificate as SigstoreCertificate } from '@sigstore/core';
// Subpaths, not the package index: that one loads nock, which patches node:http for the whole test file.
import { initializeTLog, rekorHandler } from '@sigstore/mock/dist/rekor/index.js';
import { initializeTSA, tsaHandler } from '@sigstore/mock/dist/timestamp/index.js';
import { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, TSAWitness, type Bundle, type Witness } from '@sigstore/sign';
import * as asn1js from 'asn1js';
import { vi } from 'vitest';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { toPem, x509 } from '../../src/pki/index.js';
import { listenHttpDouble, readRequestBody, type HttpDoubleServer } from './http-double.js';

const OID_FULCIO = '1.3.6.1.4.1.57264.1';
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
/** Doubles' keys are valid from here, so tests may sign "in the past". */
const TRUST_START = '2020-01-01T00:00:00Z';

/** How the Fulcio double misbehaves, set per test. */
export interface FulcioBehaviour {
  /** Leaf extended key usage (default code signing). */
  extendedKeyUsage: 'codeSigning' | 'serverAuth' | 'none';
  /** Embedded SCT from the trusted CT log double (default), none, or one signed by a CT log nobody trusts. */
  sct: 'trusted' | 'none' | 'untrusted';
}

export interface SigstoreDoubles {
  /** Base URLs as the clients take them (the TSA's is its full endpoint, as sigstore-js and cosign take a TSA URL). */
  readonly urls: { fulcio: string; rekor: string; tsa: string; oidc: string };
  /** The trusted_root.json of these doubles (protobuf-specs JSON). */
  readonly trustedRoot: Record<string, unknown>;
  /** PEM keys of the Rekor and CT doubles (cosign's --rekor-public-key / --ctlog-public-key). */
  readonly rekorPublicKeyPem: string;
  readonly ctlogPublicKeyPem: string;
  /** Fulcio intermediate then root, PEM (what cosign writes in the `chain` annotation). */
  readonly chainPem: string;
  readonly fulcioRootPem: string;
  readonly fulcio: FulcioBehaviour;
  /** The time every double works at (Fulcio validity, Rekor integrated time, TSA genTime, SCT); now when unset. */
  setClock(at: Date | undefined): void;
  /** An ID token from the OIDC double. */
  idToken(claims: IdentityClaims): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Who signs. `email` gives an email SAN (Fulcio's email issuers); `workflowRef` a GitHub URI SAN
 * (https://github.com/<ref>) with the GitHub claims turned into Fulcio extensions; `username` an
 * otherName SAN; otherwise the URI SAN is `sub`.
 */
export interface IdentityClaims {
  sub?: string;
  email?: string;
  workflowRef?: string;
  username?: string;
  /** GitHub Actions claims: event_name, sha, workflow, repository, ref. */
  github?: Partial<Record<'event_name' | 'sha' | 'workflow' | 'repository' | 'ref', string>>;
  /** The `iss` claim; default the OIDC double's URL. A token from another issuer is refused by the Fulcio double. */
  issuer?: string;
}

interface FulcioCa {
  rootKeys: webcrypto.CryptoKeyPair;
  intermediateKeys: webcrypto.CryptoKeyPair;
  root: x509.X509Certificate;
  intermediate: x509.X509Certificate;
}

export async function startSigstoreDoubles(): Promise<SigstoreDoubles> {
  let clockOverride: Date | undefined;
  const now = () => new Date(clockOverride?.getTime() ?? Date.now());
  // @sigstore/mock reads its clock Date on every call: one shared instance, set before each request.
  const mockClock = new Date();
  const ecPair = (): KeyPairKeyObjectResult => generateKeyPairSync('ec', { namedCurve: 'P-256' });

  const ctlog = ctLogDouble(ecPair(), now);
  const untrustedCtlog = ctLogDouble(ecPair(), now);
  // The mock TSA dates its certificates "now" (for a year) whatever its clock says; made under a Date faked a day back,
  // a token of a test's clock set hours back still chains.
  vi.useFakeTimers({ now: Date.now() - 86_400_000, toFake: ['Date'] });
  const tsa = await initializeTSA(ecPair(), mockClock).finally(() => vi.useRealTimers());
  const rekorKeys = ecPair();
  const ca = await createFulcioCa();
  const oidcKeys = await generateKeyPair('ES256');
  const oidcJwk: JWK = { ...(await exportJWK(oidcKeys.publicKey)), kid: 'oidc-double', alg: 'ES256', use: 'sig' };
  const fulcio: FulcioBehaviour = { extendedKeyUsage: 'codeSigning', sct: 'trusted' };

  let base = '';
  const urls = () => ({ fulcio: `${base}/fulcio`, rekor: `${base}/rekor`, tsa: `${base}/tsa/api/v1/timestamp`, oidc: `${base}/oidc` });
  // The Rekor log names its host in checkpoints, so it is made once the server listens.
  const rekor: { handler?: ReturnType<typeof rekorHandler> } = {};
  const timestamp = tsaHandler(tsa);

  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Whole seconds: pkijs writes a DER GeneralizedTime fraction without trailing zeros (".12Z"), which @sigstore/core's
    // parser (three digits or none) refuses, so a TSA token made at such a millisecond would fail to parse.
    mockClock.setTime(Math.floor(now().getTime() / 1000) * 1000);
    const path = new URL(request.url ?? '/', 'http://double').pathname;
    const reply = (status: number, body: string | Buffer, type = 'application/json') => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    try {
      if (request.method === 'GET' && path === '/oidc/.well-known/openid-configuration') {
        return reply(200, JSON.stringify({ issuer: urls().oidc, jwks_uri: `${urls().oidc}/jwks`, id_token_signing_alg_values_supported: ['ES256'] }));
      }
      if (request.method === 'GET' && path === '/oidc/jwks') return reply(200, JSON.stringify({ keys: [oidcJwk] }));
      if (request.method !== 'POST') return reply(405, 'method not allowed', 'text/plain');
      const body = (await readRequestBody(request, 1024 * 1024)).toString('utf8');
      let answer: { statusCode: number; response: string | Buffer; contentType?: string };
      if (path === '/fulcio/api/v2/signingCert') {
        answer = await issueSigningCertificate(body, { ca, ctlog, untrustedCtlog, behaviour: fulcio, now, jwks: createLocalJWKSet({ keys: [oidcJwk] }), issuer: urls().oidc });
      } else if (path === '/rekor/api/v1/log/entries' && rekor.handler) {
        answer = await rekor.handler.fn(storedEntry(body));
      } else if (path === '/tsa/api/v1/timestamp') {
        answer = await timestamp.fn(body);
      } else {
        return reply(404, 'not found', 'text/plain');
      }
      reply(answer.statusCode, answer.response, answer.contentType ?? 'text/plain');
    } catch (err) {
      reply(500, (err as Error).message, 'text/plain');
    }
  };
  const server: HttpDoubleServer = await listenHttpDouble((request, response) => void handler(request, response));
  base = server.url;
  rekor.handler = rekorHandler(await initializeTLog(urls().rekor, rekorKeys, mockClock));

  const rekorDer = rekorKeys.publicKey.export({ type: 'spki', format: 'der' });
  const ctDer = ctlog.publicKeyDer;
  const chain = [ca.intermediate, ca.root].map((cert) => Buffer.from(cert.rawData));
  const logEntry = (url: string, der: Buffer) => ({
    baseUrl: url,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: der.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: TRUST_START } },
    logId: { keyId: createHash('sha256').update(der).digest('base64') },
  });
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [logEntry(urls().rekor, rekorDer)],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.double', commonName: 'fulcio double' },
        uri: urls().fulcio,
        certChain: { certificates: chain.map((der) => ({ rawBytes: der.toString('base64') })) },
        validFor: { start: TRUST_START },
      },
    ],
    ctlogs: [logEntry(`${base}/ct`, ctDer)],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: urls().tsa,
        certChain: { certificates: [tsa.intCertificate, tsa.rootCertificate].map((der) => ({ rawBytes: der.toString('base64') })) },
        validFor: { start: TRUST_START },
      },
    ],
  };

  return {
    urls: urls(),
    trustedRoot,
    rekorPublicKeyPem: toPem('PUBLIC KEY', rekorDer),
    ctlogPublicKeyPem: toPem('PUBLIC KEY', ctDer),
    chainPem: chain.map((der) => toPem('CERTIFICATE', der)).join(''),
    fulcioRootPem: toPem('CERTIFICATE', chain[1] ?? Buffer.alloc(0)),
    fulcio,
    setClock(at) {
      clockOverride = at;
    },
    async idToken(claims) {
      const payload: Record<string, unknown> = { aud: 'sigstore', ...claims.github };
      if (claims.email !== undefined) Object.assign(payload, { email: claims.email, email_verified: true });
      if (claims.workflowRef !== undefined) payload['job_workflow_ref'] = claims.workflowRef;
      if (claims.username !== undefined) payload['username'] = claims.username;
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid: 'oidc-double' })
        .setIssuer(claims.issuer ?? urls().oidc)
        .setSubject(claims.sub ?? claims.email ?? claims.username ?? 'double-subject')
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + 600)
        .sign(oidcKeys.privateKey);
    },
    stop: () => server.stop(),
  };
}

async function createFulcioCa(): Promise<FulcioCa> {
  const rootKeys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const intermediateKeys = (await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(TRUST_START);
  const notAfter = new Date('2099-01-01T00:00:00Z');
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'O=sigstore.double, CN=fulcio double root',
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGN_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'O=sigstore.double, CN=fulcio double intermediate',
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGN_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
      await x509.SubjectKeyIdentifierExtension.create(intermediateKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  return { rootKeys, intermediateKeys, root, intermediate };
}

interface IssueContext {
  ca: FulcioCa;
  ctlog: CtLogDouble;
  untrustedCtlog: CtLogDouble;
  behaviour: FulcioBehaviour;
  now: () => Date;
  jwks: ReturnType<typeof createLocalJWKSet>;
  issuer: string;
}

/** POST /api/v2/signingCert as Fulcio answers it: token and proof of possession checked, then a leaf with an embedded SCT. */
async function issueSigningCertificate(body: string, context: IssueContext): Promise<{ statusCode: number; response: string; contentType: string }> {
  const refuse = (message: string) => ({ statusCode: 401, response: JSON.stringify({ code: 401, message }), contentType: 'application/json' });
  const request = JSON.parse(body) as {
    credentials?: { oidcIdentityToken?: string };
    publicKeyRequest?: { publicKey?: { content?: string }; proofOfPossession?: string };
  };
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(request.credentials?.oidcIdentityToken ?? '', context.jwks, {
      issuer: context.issuer,
      audience: 'sigstore',
      currentDate: context.now(),
    }));
  } catch (err) {
    return refuse(`invalid identity token: ${(err as Error).message}`);
  }
  const keyPem = request.publicKeyRequest?.publicKey?.content ?? '';
  const publicKey = createPublicKey(keyPem);
  const challengeSubject = typeof claims['email'] === 'string' ? claims['email'] : String(claims['sub']);
  if (!verify('sha256', Buffer.from(challengeSubject), publicKey, Buffer.from(request.publicKeyRequest?.proofOfPossession ?? '', 'base64'))) {
    return refuse('proof of possession does not verify');
  }
  const leaf = await issueLeaf(claims, publicKey.export({ type: 'spki', format: 'der' }), context);
  const chain = [leaf, Buffer.from(context.ca.intermediate.rawData), Buffer.from(context.ca.root.rawData)].map((der) => toPem('CERTIFICATE', der));
  return { statusCode: 201, response: JSON.stringify({ signedCertificateEmbeddedSct: { chain: { certificates: chain } } }), contentType: 'application/json' };
}

async function issueLeaf(claims: Record<string, unknown>, spki: Buffer, context: IssueContext): Promise<Buffer> {
  const { ca, behaviour } = context;
  const notBefore = context.now();
  const publicKey = await webcrypto.subtle.importKey('spki', spki, ECDSA_P256, true, ['verify']);
  const text = (name: string) => (typeof claims[name] === 'string' ? claims[name] : undefined);
  const issuer = String(claims['iss']);
  const raw = (n: number, value: string) => new x509.Extension(`${OID_FULCIO}.${n}`, false, Buffer.from(value));
  const utf8 = (n: number, value: string) => new x509.Extension(`${OID_FULCIO}.${n}`, false, new asn1js.Utf8String({ value }).toBER(false));
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    subjectAltName(claims),
    await x509.SubjectKeyIdentifierExtension.create(publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.intermediateKeys.publicKey),
    raw(1, issuer),
    utf8(8, issuer),
  ];
  if (behaviour.extendedKeyUsage !== 'none') {
    extensions.push(new x509.ExtendedKeyUsageExtension([behaviour.extendedKeyUsage === 'codeSigning' ? x509.ExtendedKeyUsage.codeSigning : x509.ExtendedKeyUsage.serverAuth]));
  }
  // GitHub Actions claims, as Fulcio maps them: the v1 raw extension and its v2 successor.
  const github: [string, number, number | undefined, (value: string) => string][] = [
    ['event_name', 2, 20, (v) => v],
    ['sha', 3, 13, (v) => v],
    ['workflow', 4, undefined, (v) => v],
    ['repository', 5, 12, (v) => `https://github.com/${v}`],
    ['ref', 6, 14, (v) => v],
  ];
  for (const [claim, v1, v2, toV2] of github) {
    const value = text(claim);
    if (value === undefined) continue;
    extensions.push(raw(v1, value));
    if (v2 !== undefined) extensions.push(utf8(v2, toV2(value)));
  }
  const tbs = {
    serialNumber: createHash('sha256').update(spki).update(notBefore.toISOString()).digest('hex').slice(0, 16),
    subject: '',
    issuer: ca.intermediate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 10 * 60 * 1000),
    publicKey,
    signingKey: ca.intermediateKeys.privateKey,
    signingAlgorithm: SIGN_SHA256,
    extensions,
  };
  if (behaviour.sct !== 'none') {
    const preCertificate = await x509.X509CertificateGenerator.create(tbs);
    const issuerKeyHash = createHash('sha256').update(Buffer.from(ca.intermediate.publicKey.rawData)).digest();
    const log = behaviour.sct === 'trusted' ? context.ctlog : context.untrustedCtlog;
    const sct = log.sign(SigstoreCertificate.parse(Buffer.from(preCertificate.rawData)).tbsCertificate.toDER(), issuerKeyHash);
    // SignedCertificateTimestampList (RFC 6962 3.3): a 2-byte list length, then each SCT with its 2-byte length.
    const list = Buffer.concat([u16(sct.length + 2), u16(sct.length), sct]);
    extensions.push(new x509.Extension(OID_SCT_LIST, false, new asn1js.OctetString({ valueHex: list }).toBER(false)));
  }
  const leaf = await x509.X509CertificateGenerator.create(tbs);
  return Buffer.from(leaf.rawData);
}

/**
 * Rekor stores a proposed `dsse` entry in another shape than it was proposed (hashes of the envelope and payload,
 * each signature with its verifier); @sigstore/mock logs entries as proposed, so the double turns them first.
 */
function storedEntry(body: string): string {
  const entry = JSON.parse(body) as { kind?: string; apiVersion?: string; spec?: { proposedContent?: { envelope: string; verifiers: string[] } } };
  const proposed = entry.spec?.proposedContent;
  if (entry.kind !== 'dsse' || !proposed) return body;
  const envelope = JSON.parse(proposed.envelope) as { payload: string; signatures: { sig: string }[] };
  const sha256 = (data: Buffer | string) => ({ algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') });
  return JSON.stringify({
    kind: 'dsse',
    apiVersion: entry.apiVersion,
    spec: {
      envelopeHash: sha256(proposed.envelope),
      payloadHash: sha256(Buffer.from(envelope.payload, 'base64')),
      signatures: envelope.signatures.map((signature, index) => ({ signature: signature.sig, verifier: proposed.verifiers[index] ?? proposed.verifiers[0] })),
    },
  });
}

/** A CT log double: RFC 6962 v1 SCTs over precertificate entries, signed with ECDSA P-256 / SHA-256. */
interface CtLogDouble {
  readonly publicKeyDer: Buffer;
  sign(tbs: Buffer, issuerKeyHash: Buffer): Buffer;
}

function ctLogDouble(keys: KeyPairKeyObjectResult, now: () => Date): CtLogDouble {
  const publicKeyDer = keys.publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(publicKeyDer).digest();
  return {
    publicKeyDer,
    sign(tbs, issuerKeyHash) {
      const timestamp = Buffer.alloc(8);
      timestamp.writeBigUInt64BE(BigInt(now().getTime()));
      // digitally-signed struct: version v1, certificate_timestamp, timestamp, precert_entry, issuer_key_hash, TBS, no extensions.
      const signed = Buffer.concat([Buffer.from([0, 0]), timestamp, u16(1), issuerKeyHash, u24(tbs.length), tbs, u16(0)]);
      const signature = cryptoSign('sha256', signed, keys.privateKey);
      // SCT: version, log ID, timestamp, extensions, then the signature with its hash (sha256 = 4) and signature (ecdsa = 3) algorithms.
      return Buffer.concat([Buffer.from([0]), logId, timestamp, u16(0), Buffer.from([4, 3]), u16(signature.length), signature]);
    },
  };
}

function u24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}

/** The SAN Fulcio writes for the token's kind of identity (critical, as the subject is empty). */
function subjectAltName(claims: Record<string, unknown>): x509.Extension {
  const text = (name: string) => (typeof claims[name] === 'string' ? claims[name] : undefined);
  const email = text('email');
  const workflowRef = text('job_workflow_ref');
  const username = text('username');
  let name: asn1js.BaseBlock;
  if (email !== undefined) {
    name = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 1 }, valueHex: Buffer.from(email) });
  } else if (username !== undefined) {
    name = new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 },
      value: [
        new asn1js.ObjectIdentifier({ value: `${OID_FULCIO}.7` }),
        new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Utf8String({ value: username })] }),
      ],
    });
  } else {
    const uri = workflowRef !== undefined ? `https://github.com/${workflowRef}` : String(claims['sub']);
    name = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 6 }, valueHex: Buffer.from(uri) });
  }
  return new x509.Extension('2.5.29.17', true, new asn1js.Sequence({ value: [name] }).toBER(false));
}

export interface SignKeylessOptions {
  /** The bytes signed: an artifact (message signature) or, with `payloadType`, a DSSE payload. */
  artifact: Uint8Array;
  /** Sign a DSSE envelope of this payload type instead of a message signature. */
  payloadType?: string;
  identity?: IdentityClaims;
  /** Log to the Rekor double (default true). */
  tlog?: boolean;
  /** Rekor entry kind for DSSE (default dsse). */
  rekorEntryType?: 'dsse' | 'intoto';
  /** Countersign with the TSA double (default false). */
  tsa?: boolean;
}

/** What signing produced: a v0.3 bundle and the legacy cosign layer material. */
export interface KeylessSignature {
  bundle: SerializedBundle;
  /** The leaf, DER. */
  certificate: Uint8Array;
  legacy: {
    /** `dev.cosignproject.cosign/signature`: base64 of the signature. */
    signature: string;
    /** `dev.sigstore.cosign/certificate` */
    certificatePem: string;
    /** `dev.sigstore.cosign/chain`: intermediate then root. */
    chainPem: string;
    /** `dev.sigstore.cosign/bundle`, when logged. */
    rekorBundle?: { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } };
    /** `dev.sigstore.cosign/rfc3161timestamp` JSON (`{"SignedRFC3161Timestamp": base64}`), when countersigned. */
    rfc3161Timestamp?: string;
  };
}

/** Keyless signing as sigstore-js does it (FulcioSigner, RekorWitness, TSAWitness), against the doubles. */
export async function signKeyless(doubles: SigstoreDoubles, options: SignKeylessOptions): Promise<KeylessSignature> {
  const token = await doubles.idToken(options.identity ?? { email: 'signer@example.com' });
  const signer = new FulcioSigner({ fulcioBaseURL: doubles.urls.fulcio, identityProvider: { getToken: () => Promise.resolve(token) }, retry: false });
  const witnesses: Witness[] = [];
  if (options.tlog ?? true) {
    witnesses.push(new RekorWitness({ rekorBaseURL: doubles.urls.rekor, retry: false, ...(options.payloadType ? { entryType: options.rekorEntryType ?? 'dsse' } : {}) }));
  }
  if (options.tsa) witnesses.push(new TSAWitness({ tsaBaseURL: doubles.urls.tsa, retry: false }));
  const artifact = { data: Buffer.from(options.artifact), ...(options.payloadType ? { type: options.payloadType } : {}) };
  const bundle: Bundle = options.payloadType
    ? await new DSSEBundleBuilder({ signer, witnesses, certificateChain: false }).create(artifact)
    : await new MessageSignatureBundleBuilder({ signer, witnesses }).create(artifact);
  const serialized = toV03(bundleToJSON(bundle));
  const material = serialized.verificationMaterial;
  const leafBase64 = material.certificate?.rawBytes ?? '';
  const certificate = Buffer.from(leafBase64, 'base64');
  const signature =
    serialized.messageSignature?.signature ?? serialized.dsseEnvelope?.signatures[0]?.sig ?? '';
  const entry = material.tlogEntries?.[0];
  const tsaToken = material.timestampVerificationData?.rfc3161Timestamps?.[0]?.signedTimestamp;
  return {
    bundle: serialized,
    certificate,
    legacy: {
      signature,
      certificatePem: toPem('CERTIFICATE', certificate),
      chainPem: doubles.chainPem,
      ...(entry?.inclusionPromise
        ? {
            rekorBundle: {
              SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
              Payload: {
                body: entry.canonicalizedBody,
                integratedTime: Number(entry.integratedTime),
                logIndex: Number(entry.logIndex),
                logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
              },
            },
          }
        : {}),
      ...(tsaToken ? { rfc3161Timestamp: JSON.stringify({ SignedRFC3161Timestamp: tsaToken }) } : {}),
    },
  };
}

/** sigstore-js writes message-signature bundles as v0.2 (a chain); v0.3 carries the leaf alone. */
function toV03(bundle: SerializedBundle): SerializedBundle {
  const material = bundle.verificationMaterial;
  const leaf = material.x509CertificateChain?.certificates[0] ?? material.certificate;
  if (!leaf) throw new Error('the signed bundle has no certificate');
  return {
    ...bundle,
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: leaf,
      publicKey: undefined,
      x509CertificateChain: undefined,
      tlogEntries: material.tlogEntries ?? [],
      timestampVerificationData: material.timestampVerificationData,
    },
  };
}
