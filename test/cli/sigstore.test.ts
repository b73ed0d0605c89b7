// `imgverify sigstore verify-bundle` on bundles signed keyless through the doubles: exit codes and the flags' rules.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { signKeyless, startSigstoreDoubles, type SigstoreDoubles } from '../support/sigstore-doubles.js';
import { writeTufRepository, type TufRepository } from '../support/tuf-repository.js';

let doubles: SigstoreDoubles;
let dir = '';
let tuf: TufRepository;
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  doubles = await startSigstoreDoubles();
  dir = await mkdtemp(join(tmpdir(), 'imgverify-sigstore-cli-'));
  const signed = await signKeyless(doubles, { artifact: Buffer.from('artifact'), identity: { email: 'ci*@example.com' } });
  await writeFile(path('artifact'), 'artifact');
  await writeFile(path('bundle.json'), JSON.stringify(signed.bundle));
  await writeFile(path('trusted_root.json'), JSON.stringify(doubles.trustedRoot));
  tuf = await writeTufRepository(path('tuf'), JSON.stringify(doubles.trustedRoot));
}, 30_000);

afterAll(async () => {
  await doubles.stop();
  await rm(dir, { recursive: true, force: true });
});

const verify = (...flags: string[]) => runCli('sigstore', 'verify-bundle', '--bundle', path('bundle.json'), ...flags);

test.each([
  { name: 'the exact identity and issuer', flags: () => ['--certificate-identity', 'ci*@example.com', '--certificate-oidc-issuer', doubles.urls.oidc, '--trusted-root', path('trusted_root.json'), path('artifact')], code: 0, stderr: /^Verified OK: messageSignature signed by ci\*@example.com/ },
  // --certificate-identity is exact (cosign): a `*` in it is not a wildcard.
  { name: 'a `*` is a character, not a wildcard', flags: () => ['--certificate-identity', 'c*@example.com', '--certificate-oidc-issuer', doubles.urls.oidc, '--trusted-root', path('trusted_root.json'), path('artifact')], code: 1, stderr: /\(UNTRUSTED_IDENTITY\)\n$/ },
  { name: 'identity regexp, wrong issuer', flags: () => ['--certificate-identity-regexp', '^ci', '--certificate-oidc-issuer', 'https://accounts.google.com', '--trusted-root', path('trusted_root.json'), path('artifact')], code: 1, stderr: /issuerRegExp .* \(UNTRUSTED_IDENTITY\)\n$/ },
  { name: 'the embedded public-good root by default', flags: () => ['--certificate-identity', 'ci*@example.com', '--certificate-oidc-issuer', doubles.urls.oidc, path('artifact')], code: 1, stderr: /is not a transparency log of embedded public-good root \(TLOG_KEY_UNKNOWN\)\n$/ },
  { name: 'the root from a local TUF mirror', flags: () => ['--certificate-identity', 'ci*@example.com', '--certificate-oidc-issuer', doubles.urls.oidc, '--tuf-mirror', tuf.directory, '--tuf-root', tuf.rootPath, path('artifact')], code: 0, stderr: /^Verified OK/ },
  { name: '--tuf-root without a mirror', flags: () => ['--certificate-identity', 'x', '--certificate-oidc-issuer', 'y', '--tuf-root', tuf.rootPath, path('artifact')], code: 2, stderr: /--tuf-root needs --tuf-mirror \(USAGE\)\n$/ },
  { name: 'no identity and no key', flags: () => [path('artifact')], code: 2, stderr: /\(USAGE\)\n$/ },
  { name: '--key beside an identity', flags: () => ['--key', path('artifact'), '--certificate-identity', 'x', path('artifact')], code: 2, stderr: /exclude each other \(USAGE\)\n$/ },
  { name: '--staging without a root', flags: () => ['--staging', '--certificate-identity', 'x', '--certificate-oidc-issuer', 'y', path('artifact')], code: 2, stderr: /no Sigstore staging root is embedded: .*\(TRUSTED_ROOT_INVALID\)\n$/ },
  { name: 'a missing bundle file', flags: () => ['--certificate-identity', 'x', '--certificate-oidc-issuer', 'y', '--bundle', path('nope.json'), path('artifact')], code: 2, stderr: /\(USAGE\)\n$/ },
])('$name → exit $code', async ({ flags, code, stderr }) => {
  const run = await verify(...flags());
  expect(run.code, run.stderr).toBe(code);
  expect(run.stderr).toMatch(stderr);
});
