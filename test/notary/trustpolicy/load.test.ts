// Loading the trust policy from a notation config directory: trustpolicy.oci.json first, trustpolicy.json as fallback.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { loadTrustPolicy } from '../../../src/notary/trustpolicy/index.js';
import { LOCAL_FIXTURES, NOTARY_FIXTURES } from '../../support/fixtures.js';
import { rejectionOf } from '../../support/errors.js';

const E2E_POLICY = join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies/trustpolicy.json');
const AUDIT_POLICY = join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies/audit_trustpolicy.json');
const INVALID_POLICY = join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies/invalid_format_trustpolicy.json');
const SPEC_EXAMPLE_3 = join(LOCAL_FIXTURES, 'trust/trustpolicies/spec-example-3.json');

const root = mkdtempSync(join(tmpdir(), 'imgverify-trustpolicy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A config dir laid out by `setup`. */
function configDir(name: string, setup: (dir: string) => void): string {
  const dir = join(root, name);
  mkdirSync(dir);
  setup(dir);
  return dir;
}

function loadError(dir: string, maxBytes?: number): Promise<NotaryError> {
  return rejectionOf(NotaryError, loadTrustPolicy(dir, maxBytes === undefined ? {} : { maxBytes }));
}

describe('loadTrustPolicy', () => {
  it('reads trustpolicy.json when there is no trustpolicy.oci.json (backward compatibility)', async () => {
    const dir = configDir('legacy', (d) => copyFileSync(E2E_POLICY, join(d, 'trustpolicy.json')));
    const document = await loadTrustPolicy(dir);
    expect(document.source).toBe(join(dir, 'trustpolicy.json'));
    expect(document.trustPolicies[0]?.signatureVerification.level).toBe('strict');
  });

  it('prefers trustpolicy.oci.json over trustpolicy.json', async () => {
    const dir = configDir('both', (d) => {
      copyFileSync(AUDIT_POLICY, join(d, 'trustpolicy.oci.json'));
      copyFileSync(E2E_POLICY, join(d, 'trustpolicy.json'));
    });
    const document = await loadTrustPolicy(dir);
    expect(document.source).toBe(join(dir, 'trustpolicy.oci.json'));
    expect(document.trustPolicies[0]?.signatureVerification.level).toBe('audit');
  });

  it('does not fall back when trustpolicy.oci.json exists but is invalid', async () => {
    const dir = configDir('invalid-oci', (d) => {
      copyFileSync(INVALID_POLICY, join(d, 'trustpolicy.oci.json'));
      copyFileSync(E2E_POLICY, join(d, 'trustpolicy.json'));
    });
    const error = await loadError(dir);
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain(`invalid trust policy ${join(dir, 'trustpolicy.oci.json')}: document: is not valid JSON`);
  });

  it.each([
    {
      case: 'no trust policy file',
      setup: () => undefined,
      fragment: 'trust policy is not present: create',
    },
    {
      case: 'a symlinked trust policy',
      setup: (d: string) => symlinkSync(SPEC_EXAMPLE_3, join(d, 'trustpolicy.json')),
      fragment: 'is not a regular file (symlinks are not supported)',
    },
    {
      case: 'a directory named trustpolicy.oci.json',
      setup: (d: string) => mkdirSync(join(d, 'trustpolicy.oci.json')),
      fragment: 'is not a regular file',
    },
    {
      case: 'a document breaking a rule',
      setup: (d: string) => writeFileSync(join(d, 'trustpolicy.json'), JSON.stringify({ version: '1.0', trustPolicies: [] })),
      fragment: 'trustPolicies: is empty',
    },
  ])('$case → INVALID_TRUST_POLICY', async ({ case: name, setup, fragment }) => {
    const dir = configDir(name.replace(/\W+/g, '-'), setup);
    const error = await loadError(dir);
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain(fragment);
  });

  it('refuses a trust policy file over the size limit before parsing it', async () => {
    const dir = configDir('large', (d) => copyFileSync(SPEC_EXAMPLE_3, join(d, 'trustpolicy.json')));
    const error = await loadError(dir, 100);
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toMatch(/is \d+ bytes, over the 100-byte limit/);
  });

  it('honours an aborted signal', async () => {
    const dir = configDir('aborted', (d) => copyFileSync(E2E_POLICY, join(d, 'trustpolicy.json')));
    await expect(loadTrustPolicy(dir, { signal: AbortSignal.abort() })).rejects.toThrow(/aborted/);
  });
});
