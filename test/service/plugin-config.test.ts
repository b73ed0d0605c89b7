// --pluginConfig in file mode: a ConfigMap manifest's data, or a plain map of strings; anything else is INVALID_OPTION.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPluginConfig } from '../../src/service/plugin-config.js';

describe('loadPluginConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imgverify-plugin-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const cases: { name: string; text: string; config?: Record<string, string>; message?: string }[] = [
    {
      name: 'ConfigMap manifest',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notation-plugin-config\ndata:\n  aws-region: us-west-2\n',
      config: { 'aws-region': 'us-west-2' },
    },
    { name: 'ConfigMap without data', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', config: {} },
    { name: 'plain map', text: '{"aws-signer-endpoint-url": "http://127.0.0.1:1"}', config: { 'aws-signer-endpoint-url': 'http://127.0.0.1:1' } },
    { name: 'empty file', text: '', config: {} },
    { name: 'non-string value', text: 'retries: 3\n', message: 'retries: Invalid input: expected string, received number' },
  ];
  it.each(cases)('$name', async (c) => {
    const path = join(dir, `${c.name.replace(/\W+/g, '-')}.yaml`);
    await writeFile(path, c.text);
    if (c.config) {
      expect(await loadPluginConfig(path)).toEqual(c.config);
    } else {
      await expect(loadPluginConfig(path)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: `--pluginConfig ${path}: ${c.message}; give a ConfigMap manifest or a YAML map of string keys to string values`,
      });
    }
  });

  it('a missing file is INVALID_OPTION', async () => {
    await expect(loadPluginConfig(join(dir, 'none.yaml'))).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining('cannot be read') });
  });
});
