// Module resolution hook of register.mjs: names every file the process imports, once, as `MODULE <path>`.
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const seen = new Set();

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith('file:') && !seen.has(resolved.url)) {
    seen.add(resolved.url);
    process.stderr.write(`MODULE ${fileURLToPath(resolved.url)}\n`);
  }
  return resolved;
}
