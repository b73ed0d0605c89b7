// Paths to the shared upstream fixtures (../shared/fixtures beside the repository) and our own.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED_FIXTURES = resolve(REPO_ROOT, '../shared/fixtures');
export const NOTARY_FIXTURES = resolve(SHARED_FIXTURES, 'notary');
export const LOCAL_FIXTURES = resolve(REPO_ROOT, 'test/fixtures');
