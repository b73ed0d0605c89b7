// `node --import` this file to print on stderr each file the process imports, once: `MODULE <path>`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
