// Installs the verification plugin test double (test/fixtures/verifier/plugins/mock-plugin-double) under a plugin directory.
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_FIXTURES } from '../../support/fixtures.js';

export const PLUGIN_DOUBLE_SOURCE = join(LOCAL_FIXTURES, 'verifier/plugins/mock-plugin-double');

/** The plugin name notation-go's version-compatibility envelopes ask for. */
export const UNITTEST_MOCK_PLUGIN = 'io.cncf.notary.plugin.unittest.mock';

/** Copy the double to `<pluginsDir>/<name>/notation-<name>` and make it executable; returns its path. */
export async function installPluginDouble(pluginsDir: string, name: string): Promise<string> {
  const dir = join(pluginsDir, name);
  await mkdir(dir, { recursive: true });
  const executable = join(dir, `notation-${name}`);
  await copyFile(PLUGIN_DOUBLE_SOURCE, executable);
  await chmod(executable, 0o755);
  return executable;
}
