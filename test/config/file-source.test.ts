// The watched config directory: edits, additions, deletions and editor saves apply atomically without restart.
import { mkdtemp, mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConfigError, FileConfigSource, formatIssue, type ConfigIssue, type ConfigReloadEvent } from '../../src/config/index.js';
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

async function startSource(path = dir, pollIntervalMs = 0): Promise<FileConfigSource> {
  source = new FileConfigSource(path, { debounceMs: 20, resyncIntervalMs: 0, pollIntervalMs });
  source.subscribe((event) => events.push(event));
  await source.start();
  return source;
}

function levelOf(s: FileConfigSource, name: string): string | undefined {
  return s.current().trustPolicies.get(name)?.document.trustPolicies[0]?.signatureVerification.level;
}

async function waitForIssue(pattern: RegExp): Promise<ConfigIssue> {
  const find = () => events.flatMap((event) => event.issues).find((issue) => pattern.test(issue.message));
  await waitFor(async () => find() !== undefined, 5_000, `an issue matching ${String(pattern)}`);
  return find() as ConfigIssue;
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

describe('the watch follows the path when the directory itself is replaced (issue 9)', () => {
  test('rm -rf and re-create: a warning while it is gone, then the new directory is read and watched', async () => {
    const config = join(dir, 'config');
    await mkdir(config);
    await writeFile(join(config, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
    const s = await startSource(config);

    await rm(config, { recursive: true });
    const gone = await waitForIssue(/the config directory disappeared/);
    expect(formatIssue(gone)).toBe(
      `${config}: the config directory disappeared (removed, moved away, or its symlink re-pointed to nothing); the configuration in use stays until it is back, and the path is watched for it`,
    );
    expect([gone.severity, levelOf(s, 'tp-a')]).toEqual(['warning', 'strict']);

    await mkdir(config);
    await writeFile(join(config, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'audit' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'audit', 5_000, 'the re-created directory to apply');
    await writeFile(join(config, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'skip' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'an edit in the re-created directory to apply');
  });

  test('an atomic mv swap: the directory moved in is read and watched', async () => {
    const config = join(dir, 'config');
    await mkdir(config);
    await writeFile(join(config, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a' }));
    const s = await startSource(config);

    await mkdir(join(dir, 'config.new'));
    await writeFile(join(dir, 'config.new', 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'audit' }));
    await rename(config, join(dir, 'config.old'));
    await rename(join(dir, 'config.new'), config);
    await waitFor(async () => levelOf(s, 'tp-a') === 'audit', 5_000, 'the swapped-in directory to apply');
    await writeFile(join(config, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'skip' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'an edit in the swapped-in directory to apply');
    expect(s.current().trustPolicies.get('tp-a')?.resource.origin).toEqual({ kind: 'file', path: 'policy.yaml', documentIndex: 0 });
  });

  test('a re-pointed symlink --config-dir (ln -sfn): the new target is read and watched', async () => {
    for (const [version, level] of [['v1', 'strict'], ['v2', 'audit']] as const) {
      await mkdir(join(dir, version));
      await writeFile(join(dir, version, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level }));
    }
    const link = join(dir, 'current');
    await symlink('v1', link);
    const s = await startSource(link);
    expect(levelOf(s, 'tp-a')).toBe('strict');

    await symlink('v2', join(dir, 'current.tmp'));
    await rename(join(dir, 'current.tmp'), link);
    await waitFor(async () => levelOf(s, 'tp-a') === 'audit', 5_000, 'the new symlink target to apply');
    await writeFile(join(dir, 'v2', 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'skip' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'an edit in the new target to apply');
  });

  /** `link/config` where `link` is re-pointed: no watched directory sees an event, only the path names another directory. */
  async function repointedParent(): Promise<{ config: string; b: string }> {
    for (const [version, level] of [['a', 'strict'], ['b', 'audit']] as const) {
      await mkdir(join(dir, version, 'config'), { recursive: true });
      await writeFile(join(dir, version, 'config', 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level }));
    }
    await symlink('a', join(dir, 'link'));
    return { config: join(dir, 'link', 'config'), b: join(dir, 'b', 'config') };
  }

  test('without any event, the poll notices the path names another directory and moves the watch', async () => {
    const { config, b } = await repointedParent();
    const s = await startSource(config, 50);
    await symlink('b', join(dir, 'link.tmp'));
    await rename(join(dir, 'link.tmp'), join(dir, 'link'));
    await waitFor(async () => levelOf(s, 'tp-a') === 'audit', 5_000, 'the poll to find the new directory');
    await writeFile(join(b, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'skip' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'an edit in the new directory to apply');
  });

  test('a reload from outside (SIGHUP) moves the watch too, so later edits apply', async () => {
    const { config, b } = await repointedParent();
    const s = await startSource(config);
    await symlink('b', join(dir, 'link.tmp'));
    await rename(join(dir, 'link.tmp'), join(dir, 'link'));
    await s.reload();
    expect(levelOf(s, 'tp-a')).toBe('audit');
    await writeFile(join(b, 'policy.yaml'), trustPolicyYaml({ name: 'tp-a', level: 'skip' }));
    await waitFor(async () => levelOf(s, 'tp-a') === 'skip', 5_000, 'an edit after SIGHUP to apply');
  });
});
