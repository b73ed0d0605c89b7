// The one PEM reader: blocks as written, a bad block never swallowing the next, cut-short text noticed; and the writer it reads back.
import { describe, expect, it } from 'vitest';
import { isPem, readPem, toPem } from '../../src/pki/index.js';

const DER = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]);
const BLOCK = toPem('CERTIFICATE', DER);

describe('readPem', () => {
  it.each([
    { name: 'one block', text: BLOCK, blocks: [{ label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: DER }], incomplete: false },
    { name: 'text around blocks is ignored', text: `subject=CN x\n${BLOCK}trailer\n${BLOCK}`, blocks: [{ label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: DER }, { label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: DER }], incomplete: false },
    {
      name: 'a block closed by another label ends there, the next block stays whole',
      text: `-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END X509 CRL-----\n${BLOCK}`,
      blocks: [{ label: 'CERTIFICATE', endLabel: 'X509 CRL', der: DER }, { label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: DER }],
      incomplete: false,
    },
    { name: 'an empty body', text: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n', blocks: [{ label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: undefined }], incomplete: false },
    { name: 'a body that is not base64', text: '-----BEGIN CERTIFICATE-----\nMAMC*AQU=\n-----END CERTIFICATE-----\n', blocks: [{ label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: undefined }], incomplete: false },
    { name: 'a block cut short', text: `${BLOCK}${BLOCK.slice(0, 40)}`, blocks: [{ label: 'CERTIFICATE', endLabel: 'CERTIFICATE', der: DER }], incomplete: true },
    { name: 'an END without its BEGIN', text: `-----END CERTIFICATE-----\n`, blocks: [], incomplete: true },
  ])('$name', ({ text, blocks, incomplete }) => {
    expect(readPem(text)).toEqual({ blocks, incomplete });
  });

  it('stops one block past the limit', () => {
    expect(readPem(BLOCK.repeat(5), 2).blocks).toHaveLength(3);
  });
});

describe('toPem and isPem', () => {
  it('writes 64-character lines that readPem reads back', () => {
    const der = new Uint8Array(100).map((_, i) => i);
    const text = toPem('PUBLIC KEY', der);
    expect(text.split('\n').map((line) => line.length)).toEqual([26, 64, 64, 8, 24, 0]);
    expect(readPem(text).blocks).toEqual([{ label: 'PUBLIC KEY', endLabel: 'PUBLIC KEY', der }]);
  });

  it('tells PEM text from DER', () => {
    expect([isPem(new TextEncoder().encode(BLOCK)), isPem(DER), isPem(new TextEncoder().encode('plain text'))]).toEqual([true, false, false]);
  });
});
