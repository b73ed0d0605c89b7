// Plugin configuration in file mode: the --pluginConfigMap ConfigMap's counterpart, read once from a ConfigMap manifest or a plain map.
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { readFileLimited } from '../common/index.js';
import { ServiceError } from './errors.js';

/** A plugin config is a few keys; anything near this size is not one. */
const MAX_PLUGIN_CONFIG_BYTES = 64 * 1024;
const MAX_PLUGIN_CONFIG_KEYS = 100;

const stringMap = z.record(z.string(), z.string()).refine((map) => Object.keys(map).length <= MAX_PLUGIN_CONFIG_KEYS, `more than ${MAX_PLUGIN_CONFIG_KEYS} keys`);
const configMap = z.object({ kind: z.literal('ConfigMap'), data: stringMap.optional() });

/** `pluginConfig` passed to verification plugins, from `path`: a ConfigMap manifest (its `data`) or a YAML/JSON map of strings. */
export async function loadPluginConfig(path: string): Promise<Record<string, string>> {
  const fail = (message: string, cause?: unknown) =>
    new ServiceError('INVALID_OPTION', `--pluginConfig ${path}: ${message}; give a ConfigMap manifest or a YAML map of string keys to string values`, cause === undefined ? undefined : { cause });
  const bytes = await readFileLimited(path, MAX_PLUGIN_CONFIG_BYTES, (problem) =>
    fail(problem.reason === 'too-large' ? `is larger than ${MAX_PLUGIN_CONFIG_BYTES} bytes` : problem.reason === 'not-a-file' ? 'is not a regular file' : 'cannot be read', 'cause' in problem ? problem.cause : undefined),
  );
  let document: unknown;
  try {
    document = parseYaml(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw fail('is not YAML', err);
  }
  const asConfigMap = configMap.safeParse(document);
  if (asConfigMap.success) return asConfigMap.data.data ?? {};
  const asMap = stringMap.safeParse(document ?? {});
  if (asMap.success) return asMap.data;
  throw fail(asMap.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`).join('; '));
}
