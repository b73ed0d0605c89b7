// The public-address classification behind the redirect rule (issue 9, M3b), as a table.
import { describe, expect, test } from 'vitest';
import { addressRuleOf, ipLiteral, isPublicAddress } from '../../src/common/index.js';

describe('isPublicAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true],
    ['52.94.236.248', true],
    ['0.0.0.0', false],
    ['0.1.2.3', false],
    ['10.0.0.1', false],
    ['100.64.0.1', false],
    ['100.128.0.1', true],
    ['127.0.0.1', false],
    ['127.255.255.254', false],
    ['169.254.169.254', false],
    ['172.15.255.255', true],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['2606:4700::1111', true],
    ['::', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::FFFF:169.254.169.254', false],
    ['::ffff:10.0.0.1', false],
    ['::ffff:8.8.8.8', true],
    ['::127.0.0.1', false],
    ['64:ff9b::a00:1', false],
    ['64:ff9b::808:808', true],
    ['2002:7f00:1::', false],
    ['2002:808:808::', true],
    ['fc00::1', false],
    ['fdff:ffff::1', false],
    ['fe80::1', false],
    ['fe80::1%eth0', false],
    ['febf::1', false],
    ['fec0::1', false],
    ['ff02::1', false],
    ['2001:db8::1', false],
    ['not an address', false],
    ['localhost', false],
  ];
  test.each(cases)('%s → public %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('ipLiteral and addressRuleOf', () => {
  test.each([
    ['[::1]', '::1'],
    ['127.0.0.1', '127.0.0.1'],
    ['registry.example', undefined],
  ])('ipLiteral(%s) = %s', (host, expected) => {
    expect(ipLiteral(host)).toBe(expected);
  });
  test.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'any'],
    ['[::1]', 'any'],
    ['[::ffff:10.1.2.3]', 'any'],
    ['localhost', 'any'],
  ])('a registry on %s: targets %s', async (host, expected) => {
    expect(await addressRuleOf(host)).toBe(expected);
  });
});
