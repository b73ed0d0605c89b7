// The JSON or YAML documents the `conditions` and `jp` commands read: a file or stdin (`-`), bounded, one document, plain data.
import { parse as parseYaml } from 'yaml';
import { readFileLimited, readLimited } from '../../common/index.js';
import { CliError } from '../errors.js';

/** A payload or conditions file larger than this is refused (a CycloneDX SBOM of a large image is a few MiB). */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

function tooLarge(what: string): CliError {
  return new CliError('USAGE', `${what} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
}

async function readBytes(path: string, what: string, stdin: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (path === '-') return readLimited(stdin, MAX_DOCUMENT_BYTES, () => tooLarge(what));
  return readFileLimited(
    path,
    MAX_DOCUMENT_BYTES,
    (problem) => {
      if (problem.reason === 'too-large') return tooLarge(`${what} ${path}`);
      if (problem.reason === 'not-a-file') return new CliError('USAGE', `${what} ${path} is not a regular file`);
      const reason = problem.cause instanceof Error ? problem.cause.message : String(problem.cause);
      return new CliError('USAGE', `cannot read ${what} ${path}: ${reason}`, { cause: problem.cause });
    },
    { allowSpecialFiles: true },
  );
}

/**
 * Read and parse one JSON or YAML document (YAML 1.2, of which JSON is a subset; duplicate keys
 * and more than 100 aliases are refused) into plain data, or a USAGE error naming the file.
 */
export async function readDocument(path: string, what: string, stdin: AsyncIterable<Uint8Array> = process.stdin): Promise<unknown> {
  const text = await readDocumentText(path, what, stdin);
  try {
    // Round-trip through JSON so the result is plain data (no Map, no Date), as encoding/json would give.
    return JSON.parse(JSON.stringify(parseYaml(text, { maxAliasCount: 100 }) ?? null)) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new CliError('USAGE', `${what} ${path === '-' ? '(stdin)' : path} is neither JSON nor YAML: ${reason}`, { cause: err });
  }
}

/** Read a file or stdin (`-`), bounded, as UTF-8 text; a USAGE error naming the file otherwise. */
export async function readDocumentText(path: string, what: string, stdin: AsyncIterable<Uint8Array> = process.stdin): Promise<string> {
  const bytes = await readBytes(path, what, stdin);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new CliError('USAGE', `${what} ${path === '-' ? '(stdin)' : path} is not UTF-8 text`, { cause: err });
  }
}
