// The images of a resource, found as Kyverno finds them (pkg/utils/api/image.go): the standard container lists of
// Pods and pod controllers, or a rule's imageExtractors (path with `*`, value, key, name, jmesPath).
import { searchJmesPath } from '../conditions/index.js';
import { parseReference, type Reference } from '../reference/index.js';
import type { ImageExtractor } from './model.js';
import type { ImageInfo } from './ports.js';

const DEFAULT_REGISTRY = 'docker.io';

/** An image found in a resource: Kyverno's ImageInfo plus the parsed reference the registry is asked about. */
export interface FoundImage extends ImageInfo {
  /** Which extractor found it (`containers`, `initContainers`, `ephemeralContainers`, or the extractor's name). */
  extractor: string;
  /** The key it is known by (the container name, or the pointer). */
  key: string;
  /** Normalised (Docker Hub's `library/` added) for the registry. */
  parsed: Reference;
}

interface Extractor {
  fields: string[];
  key?: string;
  value: string;
  name: string;
  jmesPath?: string;
}

function standardExtractors(...prefix: string[]): Extractor[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].map((list) => ({ fields: [...prefix, list, '*'], key: 'name', value: 'image', name: list }));
}

const POD_CONTROLLER = standardExtractors('spec', 'template', 'spec');
const REGISTERED: Record<string, Extractor[]> = {
  Pod: standardExtractors('spec'),
  DaemonSet: POD_CONTROLLER,
  Deployment: POD_CONTROLLER,
  ReplicaSet: POD_CONTROLLER,
  ReplicationController: POD_CONTROLLER,
  StatefulSet: POD_CONTROLLER,
  Job: POD_CONTROLLER,
  CronJob: standardExtractors('spec', 'jobTemplate', 'spec', 'template', 'spec'),
};

/** A rule's extractors for `kind` (Kyverno's lookupImageExtractor), else the standard ones, else none. */
function extractorsFor(kind: string, configs: Record<string, ImageExtractor[]>): Extractor[] {
  const configured = configs[kind];
  if (!configured) return REGISTERED[kind] ?? [];
  return configured.map((config) => {
    const fields = config.path
      .split('/')
      .map((field) => field.trim())
      .filter((field) => field !== '');
    const value = config.value ?? fields.pop() ?? '';
    return { fields, value, name: config.name ?? 'custom', ...(config.key !== undefined ? { key: config.key } : {}), ...(config.jmesPath !== undefined ? { jmesPath: config.jmesPath } : {}) };
  });
}

/** Escape one JSON pointer segment (RFC 6901). */
const pointerSegment = (segment: string): string => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * Kyverno's GetImageInfo: the default registry added when the first segment is not a host, `latest` when there is
 * neither tag nor digest; `path` stays as written (no `library/`), `reference` is `registry/path:tag` or `registry/path@digest`.
 */
export function imageInfo(value: string, pointer: string): { info: ImageInfo; parsed: Reference } {
  const slash = value.indexOf('/');
  const first = slash === -1 ? '' : value.slice(0, slash);
  const isHost = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  const full = isHost ? value : `${DEFAULT_REGISTRY}/${value}`;
  const parsed = parseReference(full);
  const registry = full.slice(0, full.indexOf('/'));
  const remainder = full.slice(registry.length + 1);
  const beforeDigest = remainder.split('@')[0] as string;
  const colon = beforeDigest.lastIndexOf(':');
  const path = colon === -1 ? beforeDigest : beforeDigest.slice(0, colon);
  const digest = parsed.digest ?? '';
  const tag = parsed.tag ?? (digest === '' ? 'latest' : '');
  const base = `${registry}/${path}`;
  const info: ImageInfo = {
    registry,
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
    tag,
    digest,
    reference: digest !== '' ? `${base}@${digest}` : `${base}:${tag}`,
    referenceWithTag: `${base}:${tag}`,
    pointer,
  };
  return { info, parsed };
}

/** Kyverno's ImageInfo.String(): the digest form when there is one (the tag dropped), else `:tag`. */
export function imageString(info: Pick<ImageInfo, 'registry' | 'path' | 'tag' | 'digest'>): string {
  const base = info.registry === '' ? info.path : `${info.registry}/${info.path}`;
  return info.digest !== '' ? `${base}@${info.digest}` : `${base}:${info.tag}`;
}

export class ExtractionError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(node: unknown, path: string[], fields: string[], extractor: Extractor, out: FoundImage[]): void {
  if (node === undefined || node === null) return;
  const [field, ...rest] = fields;
  if (field === '*') {
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...path, String(index)], rest, extractor, out));
    else if (isRecord(node)) for (const [key, item] of Object.entries(node)) walk(item, [...path, key], rest, extractor, out);
    else throw new ExtractionError('invalid type');
    return;
  }
  if (!isRecord(node)) throw new ExtractionError('invalid image config');
  if (field !== undefined) {
    walk(node[field], [...path, field], rest, extractor, out);
    return;
  }
  const pointer = `/${[...path, extractor.value].map(pointerSegment).join('/')}`;
  let key = pointer;
  if (extractor.key !== undefined) {
    const named = node[extractor.key];
    if (typeof named !== 'string') throw new ExtractionError('invalid key');
    key = named;
  }
  const raw = node[extractor.value];
  if (typeof raw !== 'string' || raw.trim() === '') return;
  let value = raw;
  if (extractor.jmesPath !== undefined) {
    const result = searchJmesPath(extractor.jmesPath, value);
    if (typeof result !== 'string') throw new ExtractionError(`jmespath ${extractor.jmesPath} must produce a string, but produced ${JSON.stringify(result)}`);
    value = result;
  }
  let found: ReturnType<typeof imageInfo>;
  try {
    found = imageInfo(value, pointer);
  } catch (err) {
    throw new ExtractionError(`invalid image '${value}' (${err instanceof Error ? err.message : String(err)})`);
  }
  out.push({ ...found.info, extractor: extractor.name, key, parsed: found.parsed });
}

/** Every image of `resource` of `kind`, in extractor then document order; throws ExtractionError as Kyverno fails the rule. */
export function extractImages(resource: unknown, kind: string, configs: Record<string, ImageExtractor[]>): FoundImage[] {
  const out: FoundImage[] = [];
  for (const extractor of extractorsFor(kind, configs)) walk(resource, [], extractor.fields, extractor, out);
  return out;
}
