// --pluginConfigMap: the notation plugin config (pluginConfig key/values) read from a ConfigMap of POD_NAMESPACE.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { apiStatus, callApi, type KubernetesApi } from './api.js';
import { MAX_PLUGIN_CONFIG_ENTRIES } from './constants.js';
import { KubernetesError } from './errors.js';

/** The ConfigMap's `data` as plugin config; binaryData is not config and is refused. */
export function pluginConfigFrom(configMap: V1ConfigMap): Record<string, string> {
  const where = `ConfigMap ${configMap.metadata?.namespace ?? ''}/${configMap.metadata?.name ?? ''}`;
  if (configMap.binaryData && Object.keys(configMap.binaryData).length > 0) {
    throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `${where} has binaryData; plugin config is text key/values in data`);
  }
  const entries = Object.entries(configMap.data ?? {});
  if (entries.length > MAX_PLUGIN_CONFIG_ENTRIES) {
    throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `${where} has ${entries.length} keys, more than ${MAX_PLUGIN_CONFIG_ENTRIES}`);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Read the plugin config once at start; a missing ConfigMap is an error unless `optional` (then: no plugin config). */
export async function readPluginConfig(api: KubernetesApi, namespace: string, name: string, options: { optional?: boolean } = {}): Promise<Record<string, string> | undefined> {
  let configMap: V1ConfigMap;
  try {
    configMap = await callApi(api, `read ConfigMap ${namespace}/${name}`, (call) => api.core.readNamespacedConfigMap({ name, namespace }, call));
  } catch (err) {
    if (apiStatus(err) === 404 && options.optional) return undefined;
    if (apiStatus(err) === 404) throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `--pluginConfigMap ${name}: no ConfigMap ${name} in namespace ${namespace}`, { cause: err });
    throw err;
  }
  return pluginConfigFrom(configMap);
}
