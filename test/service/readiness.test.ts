// /readyz means "can verify": not ready with no usable trust policy, or with DEFAULT_TRUST_POLICY naming a missing one (issue 18 bug 5).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { E2E_CERT_PEM, trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { waitFor } from '../support/ports.js';

let dir: string;
let service: RunningService | undefined;
let logLines: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-readiness-'));
  await writeFile(join(dir, 'store.yaml'), trustStoreYaml({ name: 'shared-ts', pem: E2E_CERT_PEM }));
  logLines = [];
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function start(defaultTrustPolicy?: string): Promise<RunningService> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  service = await startService({
    config: { dir, ...(defaultTrustPolicy ? { defaultTrustPolicy } : {}) },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '127.0.0.1:0' },
    logger: pino({ level: 'warn' }, sink),
    processMetrics: false,
  });
  return service;
}

async function readyz(s: RunningService): Promise<[number, string]> {
  const res = await fetch(`${s.healthUrl}/readyz`);
  return [res.status, await res.text()];
}

const policy = (name: string, level = 'strict') => trustPolicyYaml({ name, level, trustStores: ['ca:shared-ts'] });

test('no trust policy, then only an invalid one: not ready with the reason; a valid one makes it ready', async () => {
  const s = await start();
  expect(await readyz(s)).toEqual([503, 'not ready: no trust policy is loaded: add a valid TrustPolicy resource to the configuration\n']);
  expect(logLines.map((line) => JSON.parse(line) as { msg: string }).map((l) => l.msg)).toContain(
    'not ready: no trust policy is loaded: add a valid TrustPolicy resource to the configuration',
  );

  await writeFile(join(dir, 'policy.yaml'), policy('tp-a', 'paranoid'));
  await waitFor(async () => logLines.some((line) => line.includes('policy.yaml: document 1 (TrustPolicy \\"tp-a\\"): spec.trustPolicies[0].signatureVerification.level')), 5_000, 'the invalid policy to be reported');
  expect((await readyz(s))[0]).toBe(503);

  await writeFile(join(dir, 'policy.yaml'), policy('tp-a'));
  await waitFor(async () => (await readyz(s))[0] === 200, 5_000, '/readyz to turn ready');
  expect(await readyz(s)).toEqual([200, 'ok']);
});

test('DEFAULT_TRUST_POLICY naming a missing policy: a warning at load and not ready until it is loaded', async () => {
  await writeFile(join(dir, 'other.yaml'), policy('tp-other'));
  const s = await start('tp-default');
  const reason = 'DEFAULT_TRUST_POLICY names trust policy "tp-default", which no TrustPolicy resource provides (loaded: tp-other)';
  expect(await readyz(s)).toEqual([503, `not ready: ${reason}\n`]);
  const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40);
  expect(warnings.map((l) => l.msg)).toContain(`not ready: ${reason}`);

  await writeFile(join(dir, 'default.yaml'), policy('tp-default'));
  await waitFor(async () => (await readyz(s))[0] === 200, 5_000, '/readyz to turn ready');
});
