// --pluginConfigMap read through the client from the API double: present, absent by default, absent when named.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readPluginConfig } from '../../src/kube/index.js';
import { COLLECTIONS } from '../support/k8s-double.js';
import { startCluster, type Cluster } from './cluster.js';

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  cluster.double.upsert(COLLECTIONS.configMaps('ns'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plugins' }, data: { region: 'us-east-1', mode: 'strict' } });
});

afterAll(async () => {
  await cluster?.stop();
});

test('the ConfigMap data is the plugin config; a missing default is none; a missing named one is an error', async () => {
  const api = cluster.api();
  expect(await readPluginConfig(api, 'ns', 'plugins')).toEqual({ mode: 'strict', region: 'us-east-1' });
  expect(await readPluginConfig(api, 'ns', 'notation-plugin-config', { optional: true })).toBeUndefined();
  await expect(readPluginConfig(api, 'ns', 'missing')).rejects.toMatchObject({ code: 'INVALID_KUBERNETES_OBJECT', message: '--pluginConfigMap missing: no ConfigMap missing in namespace ns' });
});
