// Bundles the CLI into dist/cli/ with esbuild (run by `npm run build` after tsc): one file per command
// plus shared chunks, so a command loads a few files instead of hundreds of modules (issue 18: start-up
// time). bin/imgverify.js runs dist/cli/main.js. `bundleCli(outdir)` is also used by test/support.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * Packages left to Node's loader: cbor-x picks its optional native extension (cbor-extract) by path at
 * run time, which a bundle cannot follow.
 */
const EXTERNAL = ['cbor-x'];

export async function bundleCli(outdir = join(ROOT, 'dist', 'cli')) {
  await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS packages inside an ES module bundle call require() for Node's built-ins.
    banner: { js: "import { createRequire as __imgverifyCreateRequire } from 'node:module'; const require = __imgverifyCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
