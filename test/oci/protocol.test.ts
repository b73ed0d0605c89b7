// Pure protocol helpers: WWW-Authenticate challenges, token scopes, Link headers, referrers tags, Go JSON.
import { expect, test } from 'vitest';
import { mergeScopes, parseChallenges, repositoryScope, type Challenge } from '../../src/oci/auth/index.js';
import { encodeIndex } from '../../src/oci/json.js';
import { referrersTag } from '../../src/oci/referrers.js';
import { nextLink } from '../../src/oci/registry-url.js';

test.each([
  {
    header: 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
    expected: [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } }] as Challenge[],
  },
  { header: 'Basic realm="Registry Realm"', expected: [{ scheme: 'basic', params: { realm: 'Registry Realm' } }] },
  {
    header: 'Basic realm="a", Bearer realm="https://t/token",error="invalid_token",scope="repository:a:pull,push"',
    expected: [
      { scheme: 'basic', params: { realm: 'a' } },
      { scheme: 'bearer', params: { realm: 'https://t/token', error: 'invalid_token', scope: 'repository:a:pull,push' } },
    ],
  },
  { header: 'Bearer realm="with \\"quote\\"", service=tokenvalue', expected: [{ scheme: 'bearer', params: { realm: 'with "quote"', service: 'tokenvalue' } }] },
  { header: '', expected: [] },
  { header: undefined, expected: [] },
])('parseChallenges($header)', ({ header, expected }) => {
  expect(parseChallenges(header)).toEqual(expected);
});

test.each([
  { scopes: ['repository:a:pull', 'repository:a:push'], expected: ['repository:a:pull,push'] },
  { scopes: ['repository:b:pull', 'repository:a:push,pull', 'repository:a:pull'], expected: ['repository:a:pull,push', 'repository:b:pull'] },
  { scopes: ['repository:a:pull repository:c:delete', 'registry:catalog:*'], expected: ['registry:catalog:*', 'repository:a:pull', 'repository:c:delete'] },
  { scopes: ['garbage', ''], expected: [] },
])('mergeScopes($scopes)', ({ scopes, expected }) => {
  expect(mergeScopes(scopes)).toEqual(expected);
});

test('repositoryScope sorts and deduplicates actions', () => {
  expect(repositoryScope('org/app', ['push', 'pull', 'push'])).toBe('repository:org/app:pull,push');
});

test.each([
  { link: '</v2/a/referrers/sha256:x?last=y>; rel="next"', expected: 'http://r/v2/a/referrers/sha256:x?last=y' },
  { link: '<https://other/next>; rel=next', expected: 'https://other/next' },
  { link: '</prev>; rel="prev", </next>; rel="next"', expected: 'http://r/next' },
  { link: '</prev>; rel="prev"', expected: undefined },
  { link: undefined, expected: undefined },
])('nextLink($link)', ({ link, expected }) => {
  expect(nextLink(link, new URL('http://r/v2/a/referrers/sha256:x'))?.toString()).toBe(expected);
});

test.each([
  { digest: 'sha256:' + 'ab'.repeat(32), tag: 'sha256-' + 'ab'.repeat(32) },
  { digest: 'sha512:' + 'cd'.repeat(64), tag: 'sha512-' + 'cd'.repeat(32) },
])('referrersTag($digest)', ({ digest, tag }) => {
  expect(referrersTag(digest)).toBe(tag);
});

test('encodeIndex writes Go field order, sorted annotations and Go HTML escaping', () => {
  const bytes = encodeIndex({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ artifactType: 't', annotations: { z: '<&>', a: '1' }, size: 1, digest: 'sha256:' + '0'.repeat(64), mediaType: 'm', platform: { os: 'linux', architecture: 'amd64' } }],
  });
  expect(new TextDecoder().decode(bytes)).toBe(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"m","digest":"sha256:' +
      '0'.repeat(64) +
      '","size":1,"annotations":{"a":"1","z":"\\u003c\\u0026\\u003e"},"platform":{"architecture":"amd64","os":"linux"},"artifactType":"t"}]}',
  );
});
