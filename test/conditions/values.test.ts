// The Go and Kubernetes value rules the operators rely on: quantities, semantic versions, wildcards, Go durations as text.
import { describe, expect, test } from 'vitest';
import { formatGoDuration } from '../../src/conditions/jmespath/functions/go-duration.js';
import { compare, formatQuantity, parseQuantity } from '../../src/conditions/operators/quantity.js';
import { compareVersions, parseVersion } from '../../src/conditions/operators/semver.js';
import { wildcardMatch } from '../../src/common/index.js';

describe('resource.ParseQuantity, Cmp and String', () => {
  test.each([
    { a: '1Ki', b: '1024', order: 0 },
    { a: '1Gi', b: '1024Mi', order: 0 },
    { a: '1', b: '1000m', order: 0 },
    { a: '1.5', b: '1500m', order: 0 },
    { a: '1e3', b: '1k', order: 0 },
    { a: '0.1n', b: '1n', order: 0 },
    { a: '16Ei', b: '8Ei', order: 0 },
    { a: '1Mi', b: '1M', order: 1 },
    { a: '-1', b: '1m', order: -1 },
    { a: '100Mi', b: '1Gi', order: -1 },
  ])('$a vs $b: $order', ({ a, b, order }) => {
    expect(compare(parseQuantity(a)!, parseQuantity(b)!)).toBe(order);
  });

  test.each(['', '1mi', '1.2.3', 'abc', '1e', '1Kib', '--1'])('%j is not a quantity', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  test.each([
    ['1500m', '1500m'],
    ['1.5', '1500m'],
    ['2048', '2048'],
    ['2Ki', '2Ki'],
    ['1536Ki', '1536Ki'],
    ['1e3', '1e3'],
    ['0.5Ki', '512'],
    ['1000k', '1M'],
  ])('String() of %s is %s', (text, canonical) => {
    expect(formatQuantity(parseQuantity(text)!)).toBe(canonical);
  });
});

describe('blang/semver', () => {
  test.each([
    { a: '1.0.0', b: '1.0.0-alpha', order: 1 },
    { a: '1.0.0-alpha.1', b: '1.0.0-alpha.beta', order: -1 },
    { a: '1.0.0-2', b: '1.0.0-10', order: -1 },
    { a: '1.0.0+build', b: '1.0.0', order: 0 },
    { a: '2.0.0', b: '10.0.0', order: -1 },
  ])('$a vs $b: $order', ({ a, b, order }) => {
    expect(compareVersions(parseVersion(a)!, parseVersion(b)!)).toBe(order);
  });

  test.each(['v1.0.0', '1.0', '01.0.0', '1.0.0-', '1.0.0+', '1.0.0-01'])('%j does not parse', (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe('go-wildcard v1', () => {
  test.each([
    ['kube-*', 'kube-system', true],
    ['k?be', 'kube', true],
    ['k?be', 'kbe', false],
    ['*', '', true],
    ['', '', true],
    ['a*b*c', 'abbbc', true],
    ['a*b*c', 'acb', false],
    ['*'.repeat(40) + 'x', 'a'.repeat(60), false],
  ])('%j matches %j: %s', (pattern, name, matched) => {
    expect(wildcardMatch(pattern, name)).toBe(matched);
  });
});

describe('time.Duration.String()', () => {
  test.each([
    [0n, '0s'],
    [1_500n, '1.5\u00b5s'],
    [1_500_000_000n, '1.5s'],
    [3_600_000_000_000n, '1h0m0s'],
    [-90_000_000_000n, '-1m30s'],
  ])('Duration(%d).String() is %s', (nanoseconds, text) => {
    expect(formatGoDuration(nanoseconds)).toBe(text);
  });
});
