// Kyverno's image_normalize: the default registry added (docker.io, no library/ prefix), `:latest` when neither tag nor digest is given.
import { parseReference, ReferenceParseError } from '../../../reference/index.js';
import { functionError } from '../errors.js';
import type { FunctionEntry } from './table.js';

/** Kyverno's addDefaultRegistry: a first segment that is not a host (no `.` or `:`, not localhost, lower case) gets docker.io/. */
function withDefaultRegistry(image: string): string {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) return `docker.io/${image}`;
  return image;
}

function normalize(image: string): string {
  const full = withDefaultRegistry(image);
  try {
    // Validate with the docker grammar; the path is Kyverno's (as written, no library/ added).
    parseReference(full);
  } catch (err) {
    if (err instanceof ReferenceParseError) {
      throw functionError('image_normalize', `bad image: ${full}, defaultRegistry: docker.io, enableDefaultRegistryMutation: true: ${err.message}`, err);
    }
    throw err;
  }
  const at = full.indexOf('@');
  const name = at === -1 ? full : full.slice(0, at);
  const digest = at === -1 ? undefined : full.slice(at + 1);
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const repository = colon === -1 ? name : name.slice(0, colon);
  const tag = colon === -1 ? 'latest' : name.slice(colon + 1);
  return digest === undefined ? `${repository}:${tag}` : `${repository}@${digest}`;
}

export const IMAGE_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['image_normalize', { arguments: [['string']], handler: ([image]) => normalize(image as string) }],
]);
