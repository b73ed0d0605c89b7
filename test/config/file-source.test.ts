// The watched config directory: edits, additions, deletions and editor saves apply atomically without restart.
import { mkdtemp, mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ConfigError, FileConfigSource, formatIssue, type ConfigReloadEvent } from '../../src/config/index.js';
import { waitFor } from '../support/ports.js';
import { trustPolicyYaml, trustStoreYaml } from './manifest-builders.js';

let dir: string;
let source: FileConfigSource | undefined;
let events: ConfigReloadEvent[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-config-'));
  events = [];
});
afterEach(async () => {
  await source?.close();
  source = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startSource(): Promise<FileConfigSource> {
  source = new FileConfigSource(dir, { debounceMs: 20, resyncIntervalMs: 0 });
  source.subscribe((event) => events.push(event));
  await source.start();
  return source;
}

function levelOf(s: FileConfigSource, name: string): string | undefined {
  return s.current().trustPolicies.get(name)?.document.trustPolicies[0]?.signatureVerification.level;
}

async function nextEvent(count: number): Promise<ConfigReloadEvent> {
  await waitFor(async () => events.length >= count, 5_000, `config reload event #${count}`);
  return events[count - 1] as ConfigReloadEvent;
}

test('a missing directory is a startup error that says what to do', async () => {
  const s = new FileConfigSource(join(dir, 'nope'));
  await expect(s.start()).rejects.toThrow(ConfigError);
  await expect(s.start()).rejects.toThrow(/does not exist or cannot be read.*create it or pass another --config-dir/);
});

test('an empty directory loads as an empty configuration', async () => {
  const s = await startSource();
  expect(s.ready).toBe(true);
  expect(s.current().generation).toBe(1);
  expect(s.current().trustPolicies.size).toBe(0);
});

test('edit, add and delete take effect without restart', async () => {
  await writeFile(join(dir, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
  await writeFile(join(dir, 'store.yaml'), trustStoreYaml({ name: 'tp-a-ts' }));
  const s = await startSource();
  expect(levelOf(s, 'tp-a')).toBe('strict');
  const first = s.current().trustPolicies.get('tp-a');

  await writeFile(join(dir, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'audit' }));
  await nextEvent(2);
  expect(levelOf(s, 'tp-a')).toBe('audit');
  expect(s.current().trustPolicies.get('tp-a')?.contentHash).not.toBe(first?.contentHash);

  await writeFile(join(dir, 'team-b.yml'), `${trustPolicyYaml({ name: 'tp-b', trustStores: ['ca:tp-a-ts'] })}`);
  await waitFor(async () => s.current().trustPolicies.has('tp-b'), 5_000, 'tp-b to appear');

  await unlink(join(dir, 'team-b.yml'));
  await waitFor(async () => !s.current().trustPolicies.has('tp-b'), 5_000, 'tp-b to disappear');
  expect(levelOf(s, 'tp-a')).toBe('audit');
});

test('a half-written file yields a parse error and no change', async () => {
  await writeFile(join(dir, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
  const s = await startSource();
  const before = s.current().trustPolicies.get('tp-a');

  const full = trustPolicyYaml({ name: 'tp-a', level: 'skip' });
  await writeFile(join(dir, 'policy.yaml'), full.slice(0, full.indexOf('registryScopes') + 20) + '\n    - [');
  const event = await nextEvent(2);
  expect(event.ok).toBe(false);
  expect(event.issues.map(formatIssue)[0]).toMatch(/^policy\.yaml: not valid YAML in document 1 at line \d+/);
  expect(s.current().trustPolicies.get('tp-a')?.resource).toBe(before?.resource);
  expect(s.current().trustPolicies.get('tp-a')?.contentHash).toBe(before?.contentHash);
  expect(s.current().trustPolicies.get('tp-a')?.generation).toBe(before?.generation);

  await writeFile(join(dir, 'policy.yaml'), full);
  await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'the completed file to apply');
});

test("editors' rename-on-save and swap files are handled", async () => {
  await writeFile(join(dir, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
  const s = await startSource();
  // vim-style: write a hidden swap file, then rename a temp file over the original.
  await writeFile(join(dir, '.policy.yaml.swp'), 'garbage: [');
  await writeFile(join(dir, 'policy.yaml.tmp~'), trustPolicyYaml({ name: 'tp-a', level: 'permissive' }));
  await rename(join(dir, 'policy.yaml.tmp~'), join(dir, 'policy.yaml'));
  await waitFor(async () => levelOf(s, 'tp-a') === 'permissive', 5_000, 'the renamed file to apply');
  expect(s.current().issues.filter((i) => i.severity === 'error')).toEqual([]);
});

test('a Kubernetes ConfigMap volume (..data symlink swap) is followed', async () => {
  const v1 = join(dir, '..2024_01_01_v1');
  await mkdir(v1);
  await writeFile(join(v1, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
  await symlink('..2024_01_01_v1', join(dir, '..data'));
  await symlink('..data/policy.yaml', join(dir, 'policy.yaml'));
  const s = await startSource();
  expect(levelOf(s, 'tp-a')).toBe('strict');

  const v2 = join(dir, '..2024_01_01_v2');
  await mkdir(v2);
  await writeFile(join(v2, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'audit' }));
  await symlink('..2024_01_01_v2', join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  await waitFor(async () => levelOf(s, 'tp-a') === 'audit', 5_000, 'the swapped ConfigMap to apply');
});

test('reload() with nothing changed publishes nothing', async () => {
  await writeFile(join(dir, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
  const s = await startSource();
  const generation = s.current().generation;
  await s.reload();
  expect(s.current().generation).toBe(generation);
  expect(events).toHaveLength(1);
});
