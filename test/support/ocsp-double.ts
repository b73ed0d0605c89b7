// A test double of an OCSP responder (RFC 6960): an in-process HTTP server on loopback that signs answers with a
// given responder key, with switches for the ways a real responder misbehaves (expired, bad signature, slow...).
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { listenHttpDouble, readRequestBody, type HttpDoubleListenOptions } from './http-double.js';

export interface OcspCertificateStatus {
  status: 'good' | 'revoked' | 'unknown';
  revocationTime?: Date;
  /** CRLReason code. */
  reason?: number;
  invalidityDate?: Date;
}

export interface OcspResponderIdentity {
  /** DER of the certificate that signs responses (the issuing CA itself or a delegated responder). */
  certificate: Uint8Array;
  privateKey: KeyObject;
  /** DER certificates carried in responses (a delegated responder must send its own). */
  carry?: Uint8Array[];
  /** Identify the responder by key hash instead of by name. */
  byKey?: boolean;
}

export type OcspBehaviour =
  | 'normal'
  /** nextUpdate an hour in the past. */
  | 'expired'
  /** thisUpdate an hour in the future. */
  | 'not-yet-valid'
  /** Signature value corrupted. */
  | 'bad-signature'
  /** Reply delayed by delayMs. */
  | 'slow'
  /** OCSPResponseStatus tryLater. */
  | 'try-later'
  /** Bytes that are not an OCSP response. */
  | 'malformed'
  /** HTTP 500. */
  | 'http-error'
  /** Answers for another serial number than asked. */
  | 'wrong-certificate'
  /** No nextUpdate in the response. */
  | 'no-next-update';

export interface OcspDoubleOptions extends HttpDoubleListenOptions {
  responder: OcspResponderIdentity;
  /** Status per serial number (hex, any case, leading zeros ignored). */
  statuses?: Record<string, OcspCertificateStatus>;
  /** Status of serial numbers not in `statuses` (default good). */
  defaultStatus?: OcspCertificateStatus;
  behaviour?: OcspBehaviour;
  delayMs?: number;
}

export interface OcspDouble {
  url: string;
  port: number;
  /** Requests answered so far. */
  readonly requests: number;
  setStatus(serial: string, status: OcspCertificateStatus): void;
  behave(behaviour: OcspBehaviour, delayMs?: number): void;
  setResponder(responder: OcspResponderIdentity): void;
  stop(): Promise<void>;
}

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_INVALIDITY_DATE = '2.5.29.24';
const MAX_REQUEST_BYTES = 64 * 1024;
const HOUR_MS = 60 * 60 * 1000;

function normalise(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=.)/, '');
}

function certStatusNode(status: OcspCertificateStatus, now: Date): asn1js.AsnType {
  if (status.status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: new ArrayBuffer(0) });
  if (status.status === 'unknown') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 }, valueHex: new ArrayBuffer(0) });
  const value: asn1js.AsnType[] = [new asn1js.GeneralizedTime({ valueDate: status.revocationTime ?? new Date(now.getTime() - HOUR_MS) })];
  if (status.reason !== undefined) {
    value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: status.reason })] }));
  }
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value });
}

function algorithmFor(key: KeyObject): { hash: string; oid: string; params?: asn1js.AsnType } {
  return key.asymmetricKeyType === 'ec'
    ? { hash: 'sha256', oid: '1.2.840.10045.4.3.2' }
    : { hash: 'sha256', oid: '1.2.840.113549.1.1.11', params: new asn1js.Null() };
}

/** A DER OCSPResponse with one OCSPResponseStatus and no body (tryLater and friends). */
export function statusOnlyResponse(status: number): Uint8Array {
  return new Uint8Array(new asn1js.Sequence({ value: [new asn1js.Enumerated({ value: status })] }).toBER(false));
}

/** Build a signed DER OCSPResponse answering each CertID of `request`. */
export function buildOcspResponse(
  request: pkijs.OCSPRequest,
  responder: OcspResponderIdentity,
  statusOf: (serial: string) => OcspCertificateStatus,
  behaviour: OcspBehaviour,
  now = new Date(),
): Uint8Array {
  const responderCertificate = pkijs.Certificate.fromBER(responder.certificate);
  const thisUpdate = behaviour === 'not-yet-valid' ? new Date(now.getTime() + HOUR_MS) : new Date(now.getTime() - 60_000);
  const nextUpdate = behaviour === 'expired' ? new Date(now.getTime() - HOUR_MS) : new Date(now.getTime() + HOUR_MS);
  const responses = request.tbsRequest.requestList.map((item) => {
    const serialHex = Buffer.from(item.reqCert.serialNumber.valueBlock.valueHexView).toString('hex');
    const status = statusOf(normalise(serialHex));
    const certID =
      behaviour === 'wrong-certificate'
        ? new pkijs.CertID({
            hashAlgorithm: item.reqCert.hashAlgorithm,
            issuerNameHash: item.reqCert.issuerNameHash,
            issuerKeyHash: item.reqCert.issuerKeyHash,
            serialNumber: new asn1js.Integer({ value: 4242 }),
          })
        : item.reqCert;
    return new pkijs.SingleResponse({
      certID,
      certStatus: certStatusNode(status, now),
      thisUpdate,
      ...(behaviour === 'no-next-update' ? {} : { nextUpdate }),
      ...(status.invalidityDate
        ? {
            singleExtensions: [
              new pkijs.Extension({
                extnID: OID_INVALIDITY_DATE,
                extnValue: new asn1js.GeneralizedTime({ valueDate: status.invalidityDate }).toBER(false),
              }),
            ],
          }
        : {}),
    });
  });
  const keyBits = responderCertificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const tbs = new pkijs.ResponseData({
    responderID: responder.byKey
      ? new asn1js.OctetString({ valueHex: createHash('sha1').update(keyBits).digest() })
      : responderCertificate.subject,
    producedAt: now,
    responses,
  });
  const tbsDer = new Uint8Array(tbs.toSchema(true).toBER(false));
  const algorithm = algorithmFor(responder.privateKey);
  const signature = new Uint8Array(cryptoSign(algorithm.hash, tbsDer, responder.privateKey));
  if (behaviour === 'bad-signature') signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0xff;
  const basicFields: asn1js.AsnType[] = [
    asn1js.fromBER(tbsDer).result,
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: algorithm.oid }), ...(algorithm.params ? [algorithm.params] : [])] }),
    new asn1js.BitString({ valueHex: signature }),
  ];
  if (responder.carry && responder.carry.length > 0) {
    basicFields.push(
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Sequence({ value: responder.carry.map((der) => asn1js.fromBER(der).result) })],
      }),
    );
  }
  const basicDer = new asn1js.Sequence({ value: basicFields }).toBER(false);
  return new Uint8Array(
    new asn1js.Sequence({
      value: [
        new asn1js.Enumerated({ value: 0 }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID_OCSP_BASIC }), new asn1js.OctetString({ valueHex: basicDer })] })],
        }),
      ],
    }).toBER(false),
  );
}

/** Start the OCSP responder double; it accepts POST (RFC 6960 A.1) and GET with a base64 request in the path. */
export async function startOcspDouble(options: OcspDoubleOptions): Promise<OcspDouble> {
  const statuses = new Map(Object.entries(options.statuses ?? {}).map(([serial, status]) => [normalise(serial), status]));
  const defaultStatus = options.defaultStatus ?? { status: 'good' };
  let responder = options.responder;
  let behaviour: OcspBehaviour = options.behaviour ?? 'normal';
  let delayMs = options.delayMs ?? 0;
  const state = { requests: 0 };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const body =
          req.method === 'POST'
            ? new Uint8Array(await readRequestBody(req, MAX_REQUEST_BYTES))
            : new Uint8Array(Buffer.from(decodeURIComponent((req.url ?? '/').split('/').pop() ?? ''), 'base64'));
        state.requests++;
        if (behaviour === 'slow') await new Promise((r) => setTimeout(r, delayMs));
        if (behaviour === 'http-error') {
          res.writeHead(500).end('OCSP double: internal error');
          return;
        }
        const reply =
          behaviour === 'try-later'
            ? statusOnlyResponse(3)
            : behaviour === 'malformed'
              ? new TextEncoder().encode('this is not an OCSP response')
              : buildOcspResponse(pkijs.OCSPRequest.fromBER(body), responder, (serial) => statuses.get(serial) ?? defaultStatus, behaviour);
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(reply);
      } catch (err) {
        if (!res.headersSent) res.writeHead(400).end(`OCSP double: ${(err as Error).message}`);
      }
    })();
  };
  const server = await listenHttpDouble(handler, options);
  return {
    url: server.url,
    port: server.port,
    get requests() {
      return state.requests;
    },
    setStatus(serial, status) {
      statuses.set(normalise(serial), status);
    },
    behave(next, nextDelayMs) {
      behaviour = next;
      if (nextDelayMs !== undefined) delayMs = nextDelayMs;
    },
    setResponder(next) {
      responder = next;
    },
    stop: server.stop,
  };
}
