#!/usr/bin/env node
// Entry point of the imgverify CLI: runs the compiled program from dist/.
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
