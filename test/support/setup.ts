// Loaded by vitest before every test file: the Reflect metadata API that @peculiar/x509 needs before it
// loads, and a per-run cache folder so CLI runs never write revocation caches into the user's home.
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'imgverify-test-cache-'));
