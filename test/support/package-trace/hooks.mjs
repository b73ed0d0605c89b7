// Module resolution hook of register.mjs: names the package of every module resolved from node_modules.
const seen = new Set();

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(resolved.url)?.[1];
  if (name && !seen.has(name)) {
    seen.add(name);
    process.stderr.write(`PACKAGE ${name}\n`);
  }
  return resolved;
}
