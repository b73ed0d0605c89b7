// `node --import` this file to print on stderr each package the process imports, once: `PACKAGE <name>`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
