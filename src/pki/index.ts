// Public face of the PKI domain: primitives that notary, aws and cosign share (PEM so far); it imports only src/common.
export { isPem, readPem, toPem, type PemBlock, type PemText } from './pem.js';
