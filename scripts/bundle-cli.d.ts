// Types of scripts/bundle-cli.js (plain JavaScript: it runs before anything is compiled).
import type { Metafile } from 'esbuild';

/**
 * Bundle src/cli/main.ts and the command modules it imports into `outdir` (default dist/cli/), emptied
 * first; with `metafile` resolves to esbuild's metafile (which inputs each output chunk holds).
 */
export function bundleCli(outdir?: string, options?: { metafile?: false }): Promise<undefined>;
export function bundleCli(outdir: string | undefined, options: { metafile: true }): Promise<Metafile>;
