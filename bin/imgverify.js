#!/usr/bin/env node
// Entry point of the imgverify CLI: runs the compiled program from dist/.
// @peculiar/x509 needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import { main } from '../dist/src/cli/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
