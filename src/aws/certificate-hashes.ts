// The CertificateHashes of GetRevocationStatus: per certificate, SHA-384 of its TBSCertificate, paired with its issuer's.
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { decodeBer, parseCertificate } from '../pki/index.js';
import { AwsError } from './errors.js';
import { MESSAGE_CERTIFICATE_PARSE } from './constants.js';

/** The DER bytes of a certificate's TBSCertificate (the first element of its outer SEQUENCE), as signed. */
function tbsCertificate(der: Uint8Array): Uint8Array {
  // OpenSSL's parse first: only a well-formed certificate gets hashed (as the plugin's x509.ParseCertificate).
  parseCertificate(der);
  const parsed = decodeBer(der);
  const tbs = parsed.ok && parsed.offset !== -1 && parsed.result instanceof asn1js.Sequence ? parsed.result.valueBlock.value[0] : undefined;
  if (!(tbs instanceof asn1js.Sequence)) throw new Error('no TBSCertificate');
  return tbs.valueBeforeDecodeView;
}

/**
 * For the chain leaf first: h_i = hex(SHA-384(TBSCertificate_i)); the value for certificate i is
 * h_i + h_{i+1}, and for the last h_n + h_n. Throws AWS_SIGNER_INVALID_REQUEST when a certificate
 * does not parse (the plugin's message).
 */
export function certificateHashes(chain: readonly Uint8Array[]): string[] {
  let hashes: string[];
  try {
    hashes = chain.map((der) => createHash('sha384').update(tbsCertificate(der)).digest('hex'));
  } catch (err) {
    throw new AwsError('AWS_SIGNER_INVALID_REQUEST', MESSAGE_CERTIFICATE_PARSE, { cause: err });
  }
  return hashes.map((hash, i) => hash + (hashes[i + 1] ?? hash));
}
