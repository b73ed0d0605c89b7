#!/usr/bin/env node
// Entry point of the imgverify CLI: runs the bundled program from dist/cli/, or says how to build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const ENTRY = join(ROOT, 'dist', 'cli', 'main.js');
const EXIT_USAGE = 2;

// `imgverify … | head -1`: once the reader is gone nothing more can be shown, so stop quietly
// (as a Go CLI does on SIGPIPE) instead of dying with an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit();
    throw err;
  });
}

/** What to run instead when the program or one of its packages is not there (a fresh clone). */
function notInstalled(err) {
  if (!existsSync(ENTRY)) return `imgverify is not built yet: run \`npm install\` in ${ROOT} (it builds dist/), or \`npm run build\` after changing the sources`;
  const missing = /Cannot find package '([^']+)'/.exec(err.message)?.[1];
  return `imgverify cannot load the package ${missing ?? '(unknown)'}: run \`npm install\` in ${ROOT}`;
}

let cli;
try {
  cli = await import(ENTRY);
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write(`Error: ${notInstalled(err)}\n`);
  process.exit(EXIT_USAGE);
}
process.exitCode = await cli.main(process.argv);
