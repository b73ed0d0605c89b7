// parseReference follows docker/distribution's ParseNormalizedNamed: normalisation and rejections.
import { describe, expect, test } from 'vitest';
import { familiarReference } from '../../src/reference/reference.js';
import {
  formatReference,
  digestProblem,
  isDigest,
  parseReference,
  referenceTarget,
  ReferenceParseError,
  withDigest,
  type Reference,
} from '../../src/reference/index.js';

const SHA256 = 'sha256:' + 'a'.repeat(64);
const SHA512 = 'sha512:' + 'b'.repeat(128);

interface ValidCase {
  input: string;
  expected: Reference;
  formatted: string;
}

const valid: ValidCase[] = [
  { input: 'alpine', expected: { registry: 'docker.io', repository: 'library/alpine' }, formatted: 'docker.io/library/alpine' },
  { input: 'alpine:3.20', expected: { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }, formatted: 'docker.io/library/alpine:3.20' },
  { input: 'org/app:v1', expected: { registry: 'docker.io', repository: 'org/app', tag: 'v1' }, formatted: 'docker.io/org/app:v1' },
  { input: 'docker.io/alpine', expected: { registry: 'docker.io', repository: 'library/alpine' }, formatted: 'docker.io/library/alpine' },
  { input: 'index.docker.io/alpine', expected: { registry: 'docker.io', repository: 'library/alpine' }, formatted: 'docker.io/library/alpine' },
  { input: 'index.docker.io/org/app', expected: { registry: 'docker.io', repository: 'org/app' }, formatted: 'docker.io/org/app' },
  { input: 'docker.io/library/alpine', expected: { registry: 'docker.io', repository: 'library/alpine' }, formatted: 'docker.io/library/alpine' },
  { input: 'localhost/app', expected: { registry: 'localhost', repository: 'app' }, formatted: 'localhost/app' },
  { input: 'localhost:5000/a/b/c:t', expected: { registry: 'localhost:5000', repository: 'a/b/c', tag: 't' }, formatted: 'localhost:5000/a/b/c:t' },
  { input: '127.0.0.1:5000/app', expected: { registry: '127.0.0.1:5000', repository: 'app' }, formatted: '127.0.0.1:5000/app' },
  { input: '[::1]:5000/app:v1', expected: { registry: '[::1]:5000', repository: 'app', tag: 'v1' }, formatted: '[::1]:5000/app:v1' },
  { input: '[2001:db8::1]/app', expected: { registry: '[2001:db8::1]', repository: 'app' }, formatted: '[2001:db8::1]/app' },
  { input: 'ghcr.io/org/app@' + SHA256, expected: { registry: 'ghcr.io', repository: 'org/app', digest: SHA256 }, formatted: 'ghcr.io/org/app@' + SHA256 },
  { input: 'ghcr.io/org/app:v1@' + SHA256, expected: { registry: 'ghcr.io', repository: 'org/app', tag: 'v1', digest: SHA256 }, formatted: 'ghcr.io/org/app:v1@' + SHA256 },
  { input: 'ghcr.io/org/app@' + SHA512, expected: { registry: 'ghcr.io', repository: 'org/app', digest: SHA512 }, formatted: 'ghcr.io/org/app@' + SHA512 },
  { input: 'alpine@' + SHA256, expected: { registry: 'docker.io', repository: 'library/alpine', digest: SHA256 }, formatted: 'docker.io/library/alpine@' + SHA256 },
  // Upper case is allowed in the registry host (then the first segment is a host, not a path).
  { input: 'Example.COM/app', expected: { registry: 'Example.COM', repository: 'app' }, formatted: 'Example.COM/app' },
  { input: 'FOO/bar', expected: { registry: 'FOO', repository: 'bar' }, formatted: 'FOO/bar' },
  // A first segment without . or : that is not localhost is a path on Docker Hub.
  { input: 'registry/app', expected: { registry: 'docker.io', repository: 'registry/app' }, formatted: 'docker.io/registry/app' },
  { input: 'a.b-c/e--f_g.h__i', expected: { registry: 'a.b-c', repository: 'e--f_g.h__i' }, formatted: 'a.b-c/e--f_g.h__i' },
  { input: 'xn--7o8h.com/app', expected: { registry: 'xn--7o8h.com', repository: 'app' }, formatted: 'xn--7o8h.com/app' },
  { input: 'reg.io/app:' + 'T'.repeat(128), expected: { registry: 'reg.io', repository: 'app', tag: 'T'.repeat(128) }, formatted: 'reg.io/app:' + 'T'.repeat(128) },
  { input: 'reg.io/app:_x.y-z', expected: { registry: 'reg.io', repository: 'app', tag: '_x.y-z' }, formatted: 'reg.io/app:_x.y-z' },
  { input: 'reg.io/' + 'a'.repeat(255), expected: { registry: 'reg.io', repository: 'a'.repeat(255) }, formatted: 'reg.io/' + 'a'.repeat(255) },
];

describe('parseReference: valid references normalise like docker/distribution', () => {
  test.each(valid)('$input', ({ input, expected, formatted }) => {
    const parsed = parseReference(input);
    expect(parsed).toEqual(expected);
    expect(formatReference(parsed)).toBe(formatted);
    // Normalised output parses back to itself.
    expect(parseReference(formatted)).toEqual(expected);
  });
});

interface InvalidCase {
  input: string;
  message: RegExp;
}

const invalid: InvalidCase[] = [
  { input: '', message: /at least one component/ },
  { input: 'a'.repeat(64), message: /64-character hexadecimal/ },
  { input: 'Uppercase', message: /repository name \(library\/Uppercase\) must be lowercase/ },
  { input: 'docker.io/Org/app', message: /must be lowercase/ },
  { input: 'reg.io/App:v1', message: /must be lowercase/ },
  { input: 'reg.io/app:' + 'a'.repeat(129), message: /129 characters long; the limit is 128/ },
  { input: 'reg.io/app:-bad', message: /invalid tag format/ },
  { input: 'reg.io/app:.bad', message: /invalid tag format/ },
  { input: 'reg.io/' + 'a'.repeat(256), message: /not be more than 255 characters/ },
  // library/ counts towards the limit on Docker Hub.
  { input: 'a'.repeat(250), message: /not be more than 255 characters \(it has 258\)/ },
  { input: 'reg.io/app@sha256:' + 'a'.repeat(63), message: /sha256 digest: needs exactly 64/ },
  { input: 'reg.io/app@sha256:' + 'a'.repeat(65), message: /sha256 digest: needs exactly 64/ },
  { input: 'reg.io/app@sha256:' + 'A'.repeat(64), message: /lower-case hex/ },
  { input: 'reg.io/app@sha512:' + 'a'.repeat(64), message: /sha512 digest: needs exactly 128/ },
  { input: 'reg.io/app@md5:' + 'a'.repeat(32), message: /unsupported digest algorithm "md5"/ },
  { input: 'reg.io/app@sha384:' + 'a'.repeat(96), message: /unsupported digest algorithm "sha384"/ },
  { input: 'reg.io/app@sha256:xyz', message: /invalid sha256 digest/ },
  { input: 'reg.io/app@', message: /invalid digest format/ },
  { input: 'reg.io/app:', message: /invalid tag format/ },
  { input: 'reg.io/-app', message: /invalid repository path/ },
  { input: 'reg.io/app-', message: /invalid repository path/ },
  { input: 'reg.io/a..b', message: /invalid repository path/ },
  { input: 'reg.io/a___b', message: /invalid repository path/ },
  { input: 'reg.io//app', message: /invalid repository path/ },
  { input: 'reg.io/app/', message: /invalid repository path/ },
  { input: '-reg.io/app', message: /invalid registry host/ },
  { input: 'a_b.c/app', message: /invalid registry host "a_b.c"/ },
  { input: 'reg.io:port/app', message: /invalid registry host/ },
  { input: '[::1%eth0]:5000/app', message: /invalid registry host/ },
  { input: 'http://reg.io/app', message: /no URL scheme/ },
  { input: 'reg.io/app v1', message: /whitespace/ },
  { input: ' reg.io/app', message: /whitespace/ },
  { input: 'reg.io/app:v1:v2', message: /invalid tag format/ },
];

describe('parseReference: invalid references throw INVALID_REFERENCE with the reason', () => {
  test.each(invalid)('$input', ({ input, message }) => {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ReferenceParseError);
    const error = caught as ReferenceParseError;
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/expected \[registry\[:port\]\/\]repository/);
  });
});

test.each([
  { reference: { registry: 'docker.io', repository: 'library/alpine', tag: '3' }, familiar: 'alpine:3' },
  { reference: { registry: 'docker.io', repository: 'org/app' }, familiar: 'org/app' },
  { reference: { registry: 'docker.io', repository: 'library/a/b' }, familiar: 'library/a/b' },
  { reference: { registry: 'ghcr.io', repository: 'org/app', digest: SHA256 }, familiar: 'ghcr.io/org/app@' + SHA256 },
])('familiarReference $familiar', ({ reference, familiar }) => {
  expect(familiarReference(reference)).toBe(familiar);
});

test.each([
  { input: 'reg.io/app', target: 'latest' },
  { input: 'reg.io/app:v2', target: 'v2' },
  { input: `reg.io/app:v2@${SHA256}`, target: SHA256 },
])('referenceTarget($input) = $target', ({ input, target }) => {
  expect(referenceTarget(parseReference(input))).toBe(target);
});

test('withDigest pins the repository and drops the tag; bad digests are refused', () => {
  expect(withDigest(parseReference('reg.io/app:v1'), SHA256)).toEqual({ registry: 'reg.io', repository: 'app', digest: SHA256 });
  expect(() => withDigest(parseReference('reg.io/app'), 'sha256:abc')).toThrow(ReferenceParseError);
});

test.each([
  { value: SHA256, ok: true },
  { value: SHA512, ok: true },
  { value: 'sha256:' + 'a'.repeat(63), ok: false },
  { value: 'sha1:' + 'a'.repeat(40), ok: false },
  { value: 'sha256' + 'a'.repeat(64), ok: false },
])('isDigest($value) = $ok', ({ value, ok }) => {
  expect(isDigest(value)).toBe(ok);
});

test('isDigest answers as digestProblem does, over one-character changes of well-formed digests', () => {
  const bases = [SHA256, SHA512, `sha256:${'0'.repeat(64)}`];
  const replacements = ['', 'A', 'f', 'g', ':', '-', '+', '.', '_', '=', '0', 'ff', 'é'];
  const odd = ['', ':', 'sha256', 'sha256:', 'constructor:' + 'a'.repeat(64), '__proto__:' + 'a'.repeat(64), 'SHA256:' + 'a'.repeat(64), 'sha384:' + 'a'.repeat(96), 'v1', 'latest'];
  const values = [...odd];
  for (const base of bases) {
    for (let i = 0; i < base.length; i++) for (const r of replacements) values.push(base.slice(0, i) + r + base.slice(i + 1));
    for (const r of replacements) values.push(base + r, r + base);
  }
  let accepted = 0;
  for (const value of values) {
    expect([value, isDigest(value)]).toEqual([value, digestProblem(value) === undefined]);
    if (isDigest(value)) accepted += 1;
  }
  // Some variants stay digests (a hex character for a hex character): the comparison covers both answers.
  expect(accepted).toBeGreaterThan(100);
});

// With distribution 2.x's `[-]*` separator, JavaScript's backtracking regex took exponential time on
// these (n = 28 ran for minutes): a pod's image string reaches this parser through /checkimages.
test.each([28, 200])('a long run of name characters followed by a bad byte is refused at once (n = %i)', (n) => {
  for (const input of [`r/${'a'.repeat(n)}:${'a'.repeat(n)}!`, `${'a'.repeat(n)}!`, `r/${'a-'.repeat(n)}!`, `r/${'a'.repeat(n)}/${'a'.repeat(n)}@x`]) {
    let caught: unknown;
    try {
      parseReference(input);
    } catch (err) {
      caught = err;
    }
    expect((caught as ReferenceParseError).code).toBe('INVALID_REFERENCE');
  }
});

test('names with dash runs, double underscores and periods still parse (the separator change accepts the same names)', () => {
  expect(parseReference('example.com/a--b__c.d-e/f---g:v1')).toEqual({ registry: 'example.com', repository: 'a--b__c.d-e/f---g', tag: 'v1' });
});
