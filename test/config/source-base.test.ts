// The source base every config source shares: non-file origins, coalesced reloads, last-good on unreadable units, compile once.
import { parse } from 'yaml';
import { expect, test } from 'vitest';
import {
  ConfigError,
  formatIssue,
  SnapshotSource,
  type ConfigReloadEvent,
  type ConfigValidators,
  type SourceRead,
  type SourceUnit,
} from '../../src/config/index.js';
import type { CompiledPolicy } from '../../src/verification/index.js';
import { trustPolicyYaml, trustStoreYaml } from './manifest-builders.js';

/** A Kubernetes-shaped object as a unit: what a CRD watch hands over (one object, already parsed). */
function kubernetesUnit(yaml: string, resourceVersion: string): SourceUnit {
  const value = parse(yaml) as { kind: string; metadata: { name: string } };
  const origin = { kind: 'kubernetes', resourceKind: value.kind, name: value.metadata.name, resourceVersion } as const;
  return { origin, status: 'parsed', documents: [{ origin, value }] };
}

/**
 * The smallest source that plugs into the base: `read()` answers what the test put in `next`
 * (or throws it), and can be held open to let changes land during a read.
 */
class ListSource extends SnapshotSource {
  next: SourceUnit[] | Error = [];
  reads = 0;
  gate: Promise<void> | undefined;
  watching = false;

  constructor(validators?: ConfigValidators) {
    super({ description: 'list:test', label: 'the test list', origin: { kind: 'kubernetes' } }, validators ? { validators } : {});
  }

  protected async read(): Promise<SourceRead> {
    this.reads += 1;
    const units = this.next;
    await this.gate;
    if (units instanceof Error) throw units;
    return { units };
  }

  protected watch(): void {
    this.watching = true;
  }

  protected unwatch(): void {
    this.watching = false;
  }

  changed(): void {
    this.requestReload();
  }
}

const policy = (level = 'strict', resourceVersion = '1') => kubernetesUnit(trustPolicyYaml({ name: 'tp-a', level }), resourceVersion);
const store = kubernetesUnit(trustStoreYaml({ name: 'tp-a-ts' }), '7');

test('a source that cannot be read at start is a start-up error naming the source; listeners see the failed attempt', async () => {
  const source = new ListSource();
  const events: ConfigReloadEvent[] = [];
  source.subscribe((event) => events.push(event));
  source.next = new Error('connection refused');
  await expect(source.start()).rejects.toThrow(new ConfigError('CONFIG_SOURCE_UNREADABLE', 'could not load the test list: connection refused'));
  expect(source.ready).toBe(false);
  expect(source.watching).toBe(false);
  expect(events.map((e) => [e.ok, e.issues.map(formatIssue)])).toEqual([[false, ['kubernetes: connection refused']]]);
});

test('issues and duplicates name Kubernetes origins, not files', async () => {
  const source = new ListSource();
  source.next = [policy(), store, kubernetesUnit(trustPolicyYaml({ name: 'tp-b', trustPolicyName: 'tp-a', level: 'bogus' }), '3')];
  await source.start();
  expect(source.watching).toBe(true);
  expect(source.current().issues.map(formatIssue)).toEqual([
    'kubernetes TrustPolicy tp-b (resourceVersion 3) (TrustPolicy "tp-b"): spec.trustPolicies[0].signatureVerification.level: Invalid option: expected one of "strict"|"permissive"|"audit"|"skip"',
  ]);
  source.next = [policy(), store, kubernetesUnit(trustPolicyYaml({ name: 'tp-b', trustPolicyName: 'tp-a' }), '4')];
  await source.reload();
  expect(source.current().issues.map(formatIssue)).toEqual([
    'kubernetes TrustPolicy tp-b (resourceVersion 4) (TrustPolicy "tp-b"): ignored: TrustPolicy "tp-a" in kubernetes TrustPolicy tp-a (resourceVersion 1) already defines trustPolicyName "tp-a"; names must be unique',
  ]);
  await source.close();
  expect(source.watching).toBe(false);
});

test('an unreadable unit keeps what it defined; a unit that is gone drops it; the source failing keeps the snapshot', async () => {
  const source = new ListSource();
  source.next = [policy(), store];
  await source.start();
  const first = source.current();

  source.next = [{ origin: policy().origin, status: 'unreadable', message: 'not valid JSON' }, store];
  const broken = await source.reload();
  expect(broken.ok).toBe(false);
  expect(broken.issues.map(formatIssue)).toEqual(['kubernetes TrustPolicy tp-a (resourceVersion 1): not valid JSON']);
  expect(source.current().trustPolicies.get('tp-a')?.resource).toBe(first.trustPolicies.get('tp-a')?.resource);

  source.next = new Error('watch expired');
  const failed = await source.reload();
  expect([failed.ok, failed.snapshot]).toEqual([false, source.current()]);
  expect(source.current().generation).toBe(2);

  source.next = [store];
  await source.reload();
  expect([...source.current().trustPolicies.keys()]).toEqual([]);
});

test('changes during a read are coalesced into one more read, never lost', async () => {
  const source = new ListSource();
  source.next = [policy('strict'), store];
  await source.start();
  let open!: () => void;
  source.gate = new Promise((resolve) => (open = resolve));
  source.next = [policy('audit', '2'), store];
  const running = source.reload();
  source.next = [policy('skip', '3'), store];
  source.changed();
  source.changed();
  source.gate = undefined;
  open();
  await running;
  await expect.poll(() => source.reads).toBe(3);
  await expect.poll(() => source.current().trustPolicies.get('tp-a')?.document.trustPolicies[0]?.signatureVerification.level).toBe('skip');
});

test('a trust policy is compiled once per content: a reload that changes something else keeps the compiled value', async () => {
  let compiles = 0;
  const validators: ConfigValidators = {
    compileTrustPolicy(entry): CompiledPolicy {
      compiles += 1;
      return { kind: 'test', name: entry.name, cacheKey: entry.contentHash };
    },
  };
  const source = new ListSource(validators);
  source.next = [policy(), store];
  await source.start();
  const compiled = source.current().trustPolicies.get('tp-a')?.compiled;
  expect(compiled?.name).toBe('tp-a');

  source.next = [policy(), store, kubernetesUnit(trustPolicyYaml({ name: 'tp-b', trustStores: ['ca:tp-a-ts'] }), '9')];
  await source.reload();
  expect(source.current().trustPolicies.get('tp-a')?.compiled).toBe(compiled);
  expect(compiles).toBe(2);

  source.next = [policy('audit', '2'), store];
  await source.reload();
  expect(source.current().trustPolicies.get('tp-a')?.compiled).not.toBe(compiled);
  expect(compiles).toBe(3);
});
