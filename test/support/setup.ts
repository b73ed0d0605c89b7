// Loaded by vitest before every test file: @peculiar/x509 with the Reflect metadata API it needs (src/pki
// loads them in order, for tests that import the package directly), and a per-run cache folder so CLI runs
// never write revocation caches into the user's home.
import '../../src/pki/x509.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const cacheHome = mkdtempSync(join(tmpdir(), 'imgverify-test-cache-'));
process.env.XDG_CACHE_HOME = cacheHome;
// One per test file: removed with the file's last hook, so runs do not pile folders up in the temp dir.
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));
