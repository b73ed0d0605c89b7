// BER decoding of untrusted bytes that reports instead of throwing: asn1js.fromBER reports most defects as offset -1
// but throws on some malformed primitives (a GeneralizedTime that is no time, found by test/reliability/fuzz).
import * as asn1js from 'asn1js';

export type BerDecoding = { ok: true; offset: number; result: asn1js.AsnType } | { ok: false; error: unknown; message: string };

/** asn1js.fromBER, with a throw turned into `{ ok: false }` (the caller words it with its own error). */
export function decodeBer(bytes: Uint8Array): BerDecoding {
  try {
    const { offset, result } = asn1js.fromBER(bytes);
    return { ok: true, offset, result };
  } catch (err) {
    return { ok: false, error: err, message: err instanceof Error ? err.message : String(err) };
  }
}
