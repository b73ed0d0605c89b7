// The sigstore-conformance bundle-verify vectors through `imgverify sigstore verify-bundle`, with a file and with a digest, as the suite's test_verify runs them.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';

const ROOT = join(LOCAL_FIXTURES, 'sigstore', 'conformance', 'bundle-verify');
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** Cases we reject or accept differently from the suite, each with the reason (none so far). */
const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

const cases = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function args(name: string, digest: boolean): string[] {
  const dir = join(ROOT, name);
  const file = (base: string) => join(dir, base);
  const artifact = existsSync(file('artifact')) ? file('artifact') : join(ROOT, 'a.txt');
  const result = ['sigstore', 'verify-bundle', '--bundle', file('bundle.sigstore.json')];
  if (existsSync(file('key.pub'))) {
    result.push('--key', file('key.pub'));
  } else {
    const read = (base: string, fallback: string) => (existsSync(file(base)) ? readFileSync(file(base), 'utf8').trim() : fallback);
    result.push('--certificate-identity', read('identity', DEFAULT_IDENTITY), '--certificate-oidc-issuer', read('issuer', DEFAULT_ISSUER));
  }
  if (existsSync(file('trusted_root.json'))) result.push('--trusted-root', file('trusted_root.json'));
  result.push(digest ? `sha256:${createHash('sha256').update(readFileSync(artifact)).digest('hex')}` : artifact);
  return result;
}

describe.each([{ mode: 'file', digest: false }, { mode: 'digest', digest: true }])('conformance bundle-verify ($mode)', ({ digest }) => {
  test.each(cases.filter((name) => !Object.hasOwn(KNOWN_DIFFERENCES, name)))('%s', async (name) => {
    const run = await runCli(...args(name, digest));
    if (name.endsWith('_fail')) {
      expect(run.code, run.stderr).not.toBe(0);
      // A rejection names a rule: never a crash or an internal error.
      expect(run.stderr).toMatch(/^Error: .+ \([A-Z_]+\)\n/);
      expect(run.stderr).not.toContain('INTERNAL_ERROR');
    } else {
      expect(run.code, run.stderr).toBe(0);
    }
  });
});
