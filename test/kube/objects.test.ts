// Pull secrets and the plugin ConfigMap as objects: what each type yields, and the clear error for each wrong one.
import { expect, test } from 'vitest';
import type { V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { pluginConfigFrom, pullSecretAuths } from '../../src/kube/index.js';

const auths = { 'registry.example:5000': { auth: Buffer.from('kyverno:pw').toString('base64') } };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const secret = (type: string, data: Record<string, string>): V1Secret => ({ metadata: { name: 'regcred', namespace: 'ns' }, type, data });

test.each([
  { name: 'dockerconfigjson', secret: secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(JSON.stringify({ auths })) }) },
  { name: 'legacy dockercfg', secret: secret('kubernetes.io/dockercfg', { '.dockercfg': b64(JSON.stringify(auths)) }) },
  { name: 'credential helpers are ignored', secret: secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(JSON.stringify({ auths, credsStore: 'evil', credHelpers: { 'registry.example:5000': 'evil' } })) }) },
])('$name → the auths map', ({ secret: given }) => {
  expect(pullSecretAuths(given)).toEqual(auths);
});

test.each([
  { name: 'Opaque', secret: secret('Opaque', {}), message: 'Secret ns/regcred has type "Opaque"; a pull secret is kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg (kubectl create secret docker-registry)' },
  { name: 'key missing', secret: secret('kubernetes.io/dockerconfigjson', { '.dockercfg': b64('{}') }), message: 'Secret ns/regcred has no data[".dockerconfigjson"]' },
  { name: 'too large', secret: secret('kubernetes.io/dockercfg', { '.dockercfg': 'A'.repeat(400 * 1024) }), message: 'Secret ns/regcred: data[".dockercfg"] is larger than 262144 bytes' },
  { name: 'not JSON', secret: secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{nope') }), message: /^Secret ns\/regcred data\["\.dockerconfigjson"\]/ },
])('$name → INVALID_KUBERNETES_OBJECT', ({ secret: given, message }) => {
  expect(() => pullSecretAuths(given)).toThrow(expect.objectContaining({ code: 'INVALID_KUBERNETES_OBJECT', message: typeof message === 'string' ? message : expect.stringMatching(message) }));
});

test('plugin ConfigMap: data in key order; binaryData and too many keys refused', () => {
  const configMap = (extra: Partial<V1ConfigMap>): V1ConfigMap => ({ metadata: { name: 'notation-plugin-config', namespace: 'ns' }, ...extra });
  expect(Object.entries(pluginConfigFrom(configMap({ data: { b: '2', a: '1' } })))).toEqual([['a', '1'], ['b', '2']]);
  expect(pluginConfigFrom(configMap({}))).toEqual({});
  expect(() => pluginConfigFrom(configMap({ binaryData: { k: 'AA==' } }))).toThrow('ConfigMap ns/notation-plugin-config has binaryData; plugin config is text key/values in data');
  const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 'v']));
  expect(() => pluginConfigFrom(configMap({ data: many }))).toThrow('ConfigMap ns/notation-plugin-config has 257 keys, more than 256');
});
