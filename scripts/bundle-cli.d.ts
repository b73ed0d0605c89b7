// Types of scripts/bundle-cli.js (plain JavaScript: it runs before anything is compiled).
/** Bundle src/cli/main.ts and the command modules it imports into `outdir` (default dist/cli/). */
export function bundleCli(outdir?: string): Promise<void>;
