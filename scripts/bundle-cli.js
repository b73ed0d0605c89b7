// Bundles the CLI into dist/cli/ with esbuild (run by `npm run build` after tsc): one file per command
// plus shared chunks, so a command loads a few files instead of hundreds of modules (issue 18: start-up
// time). bin/imgverify.js runs dist/cli/main.js. `bundleCli(outdir)` is also used by test/support, which
// asks for esbuild's metafile to tell which packages each chunk holds.
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Packages left to Node's loader: cbor-x picks its optional native extension (cbor-extract) by path at
 * run time, which a bundle cannot follow.
 */
const EXTERNAL = ['cbor-x'];

/**
 * Packages bundled from their ES module build (package.json "module") although esbuild prefers "main" on
 * Node: @peculiar/x509's CommonJS build loads every ASN.1 schema of its dependencies at start (PKCS#7, #9,
 * #10, #12, post-quantum keys), about 40 ms of each `verify`; from ES modules the bundle keeps only the
 * ones imgverify reaches. Only these packages: every other one stays as Node itself would load it.
 */
const ESM_BUILDS = /^(?:@peculiar\/[^/]+|tsyringe|pvtsutils|pvutils)$/;

const preferEsmBuilds = {
  name: 'prefer-esm-builds',
  setup(build) {
    build.onResolve({ filter: ESM_BUILDS }, async ({ path, resolveDir, kind }) => {
      const manifest = await build.resolve(`${path}/package.json`, { resolveDir, kind });
      if (manifest.errors.length > 0) return undefined;
      const { module } = JSON.parse(await readFile(manifest.path, 'utf8'));
      return typeof module === 'string' ? { path: join(dirname(manifest.path), module) } : undefined;
    });
  },
};

/**
 * Builds `outdir` afresh (chunk names are content hashes: stale ones would pile up) and returns esbuild's
 * metafile when `metafile` is set.
 */
export async function bundleCli(outdir = join(ROOT, 'dist', 'cli'), { metafile = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    plugins: [preferEsmBuilds],
    // Whitespace and comments out, syntax shortened: less source for V8 to read and compile at each start,
    // and no non-ASCII comment that would make a whole chunk a two-byte string. Names are kept (stack
    // traces, error and class names read as in the sources).
    minifyWhitespace: true,
    minifySyntax: true,
    // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
    banner: { js: "import { createRequire as __imgverifyCreateRequire } from 'node:module'; const require = __imgverifyCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
    metafile,
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
