// Loading a CommonJS package on first use, so that it works unbundled and in dist/cli/'s esbuild bundle alike.

/**
 * The exports of a CommonJS package loaded with `import()`. Node gives them as named exports (those its lexer
 * detects) and as `default` (module.exports); esbuild's split bundle gives `default` only, so destructuring the
 * namespace there yields undefined (`undici.Agent is not a constructor`). `default` holds everything in both.
 */
export async function importCommonJs<T extends object>(load: () => Promise<T>): Promise<T> {
  const namespace = (await load()) as T & { default?: unknown };
  const exports = namespace.default;
  return typeof exports === 'object' && exports !== null ? (exports as T) : namespace;
}
