// A test double of an RFC 3161 timestamp authority: an in-process HTTP server on loopback that issues tokens
// signed by a TSA chain generated at start-up, with switches for the ways a real TSA can misbehave.
import { createHash, sign as cryptoSign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { X509Certificate } from '@peculiar/x509';
import { issueCertificate, type CertificateOptions, type GeneratedCertificate } from '../../src/notary/pki/index.js';
import { listenHttpDouble, readRequestBody } from './http-double.js';

export type TsaBehaviour =
  | 'good'
  /** The token echoes another nonce than the request's. */
  | 'wrong-nonce'
  /** The token's message imprint covers other data. */
  | 'wrong-imprint'
  /** The TSA signature value is corrupted. */
  | 'bad-signature'
  /** The reply is delayed by `delayMs`. */
  | 'slow'
  /** PKIStatus rejection. */
  | 'reject'
  /** HTTP 500. */
  | 'server-error';

export interface TsaDoubleOptions {
  behaviour?: TsaBehaviour;
  delayMs?: number;
  /** Overrides for the TSA signing certificate (e.g. an EKU that is not critical, or an expired validity). */
  leaf?: Partial<CertificateOptions>;
  /** Accuracy stated in tokens, in seconds (default 1). */
  accuracySeconds?: number;
}

export interface TsaDouble {
  /** `http://127.0.0.1:<port>/tsa` */
  url: string;
  root: GeneratedCertificate;
  leaf: GeneratedCertificate;
  rootCertificate: X509Certificate;
  /** Change the behaviour of later requests. */
  behave(behaviour: TsaBehaviour, delayMs?: number): void;
  /** Requests received so far. */
  requests: number;
  stop(): Promise<void>;
}

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const TEST_POLICY = '1.3.6.1.4.1.99999.1';
const MAX_REQUEST_BYTES = 64 * 1024;

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

function signingCertificateV2(certificateDer: Uint8Array, issuerName: asn1js.AsnType, serial: asn1js.Integer): asn1js.Sequence {
  // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash (SHA-256 by default), issuerSerial } }
  const certHash = createHash('sha256').update(certificateDer).digest();
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [
              new asn1js.OctetString({ valueHex: certHash }),
              new asn1js.Sequence({
                value: [
                  new asn1js.Sequence({
                    value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [issuerName] })],
                  }),
                  serial,
                ],
              }),
            ],
          }),
        ],
      }),
    ],
  });
}

/** Build a DER TimeStampToken over `imprint` (already hashed with SHA-256) signed by `leaf`. */
export function issueToken(
  leaf: GeneratedCertificate,
  chain: GeneratedCertificate[],
  request: { imprint: Uint8Array; hashOid: string; nonce?: asn1js.Integer },
  options: { accuracySeconds?: number; genTime?: Date; corruptSignature?: boolean } = {},
): Uint8Array {
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: TEST_POLICY,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: request.hashOid }),
      hashedMessage: new asn1js.OctetString({ valueHex: request.imprint }),
    }),
    serialNumber: new asn1js.Integer({ value: Math.floor(Math.random() * 1_000_000_000) }),
    genTime: options.genTime ?? new Date(),
    accuracy: new pkijs.Accuracy({ seconds: options.accuracySeconds ?? 1 }),
    ...(request.nonce ? { nonce: request.nonce } : {}),
  });
  const content = new Uint8Array(tstInfo.toSchema().toBER(false));

  const leafCertificate = pkijs.Certificate.fromBER(leaf.der);
  const signedAttributes = [
    attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: OID_TSTINFO })),
    attribute('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: options.genTime ?? new Date() })),
    attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: createHash('sha256').update(content).digest() })),
    attribute(
      '1.2.840.113549.1.9.16.2.47',
      signingCertificateV2(leaf.der, leafCertificate.issuer.toSchema(), leafCertificate.serialNumber),
    ),
  ];
  const toSign = new asn1js.Set({ value: signedAttributes.map((a) => a.toSchema()) }).toBER(false);
  const signature = new Uint8Array(cryptoSign('sha256', new Uint8Array(toSign), leaf.privateKey));
  if (options.corruptSignature) signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0xff;

  const isRsa = leaf.keyType.startsWith('rsa-');
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leafCertificate.issuer, serialNumber: leafCertificate.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: signedAttributes }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: isRsa ? OID_SHA256_WITH_RSA : '1.2.840.10045.4.3.2',
      ...(isRsa ? { algorithmParams: new asn1js.Null() } : {}),
    }),
    signature: new asn1js.OctetString({ valueHex: signature }),
  });
  const signedData = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID_TSTINFO,
      eContent: new asn1js.OctetString({ valueHex: content }),
    }),
    certificates: chain.map((c) => pkijs.Certificate.fromBER(c.der)),
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signedData.toSchema(true) });
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

function reply(status: number, token?: Uint8Array): Uint8Array {
  const statusInfo = new asn1js.Sequence({ value: [new asn1js.Integer({ value: status })] });
  const value: asn1js.AsnType[] = [statusInfo];
  if (token) value.push(asn1js.fromBER(token).result);
  return new Uint8Array(new asn1js.Sequence({ value }).toBER(false));
}

/** Start the TSA double on 127.0.0.1 with a random port and a fresh root → TSA chain (RSA 2048). */
export async function startTsaDouble(options: TsaDoubleOptions = {}): Promise<TsaDouble> {
  const root = await issueCertificate({ commonName: 'imgverify Test TSA Root', purpose: 'ca' }, undefined, 'ca');
  const leaf = await issueCertificate({ commonName: 'imgverify Test TSA', purpose: 'timeStamping', ...options.leaf }, root, 'timeStamping');
  let behaviour: TsaBehaviour = options.behaviour ?? 'good';
  let delayMs = options.delayMs ?? 0;
  const state = { requests: 0 };

  const server = await listenHttpDouble((req, res) => {
    state.requests++;
    void (async () => {
      try {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
          res.writeHead(400).end('expected POST application/timestamp-query');
          return;
        }
        const body = new Uint8Array(await readRequestBody(req, MAX_REQUEST_BYTES));
        if (behaviour === 'slow') await new Promise((r) => setTimeout(r, delayMs));
        if (behaviour === 'server-error') {
          res.writeHead(500).end('TSA double: internal error');
          return;
        }
        if (behaviour === 'reject') {
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply(2));
          return;
        }
        const timeStampReq = pkijs.TimeStampReq.fromBER(body);
        const imprint = new Uint8Array(timeStampReq.messageImprint.hashedMessage.valueBlock.valueHexView);
        if (behaviour === 'wrong-imprint') imprint[0] = (imprint[0] ?? 0) ^ 0xff;
        const nonce =
          behaviour === 'wrong-nonce' ? new asn1js.Integer({ value: 42 }) : timeStampReq.nonce;
        const token = issueToken(
          leaf,
          [leaf, root],
          { imprint, hashOid: timeStampReq.messageImprint.hashAlgorithm.algorithmId, nonce },
          { accuracySeconds: options.accuracySeconds, corruptSignature: behaviour === 'bad-signature' },
        );
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply(0, token));
      } catch (err) {
        if (!res.headersSent) res.writeHead(400).end(`TSA double: ${(err as Error).message}`);
      }
    })();
  });
  return {
    url: `${server.url}/tsa`,
    root,
    leaf,
    rootCertificate: root.certificate,
    behave(next, nextDelayMs) {
      behaviour = next;
      if (nextDelayMs !== undefined) delayMs = nextDelayMs;
    },
    get requests() {
      return state.requests;
    },
    stop: server.stop,
  };
}
