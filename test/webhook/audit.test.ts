// Audit mode against the Kubernetes API double: admitted requests become a PolicyReport per namespace (valid against the wgpolicyk8s.io CRD), bounded and merged across replicas, and Events on the resource; dry runs record nothing.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parse } from 'yaml';
import { EventRecorder } from '../../src/kube/index.js';
import type { AdmissionRequestView, RuleResponse } from '../../src/policy/index.js';
import { answerAdmission, AuditRecorder, parseAdmissionReview, type PolicyReportResult } from '../../src/webhook/index.js';
import { startCluster, type Cluster } from '../kube/cluster.js';
import { crdValidator, type Crd } from '../support/crd-schema.js';
import { LOCAL_FIXTURES, SHARED_FIXTURES } from '../support/fixtures.js';
import { EngineDouble } from './engine-double.js';

const logger = pino({ level: 'silent' });
const reports = { prefix: '/apis/wgpolicyk8s.io/v1alpha2', namespace: 'team-a', plural: 'policyreports' };
const events = { prefix: '/api/v1', namespace: 'team-a', plural: 'events' };
const reportValidator = crdValidator(parse(readFileSync(resolve(SHARED_FIXTURES, 'kyverno/crds/wgpolicyk8s.io_policyreports.yaml'), 'utf8')) as Crd, 'v1alpha2');

function review(name: string, change: (request: Record<string, unknown>) => void = () => undefined): unknown {
  const body = JSON.parse(readFileSync(resolve(LOCAL_FIXTURES, 'webhook', `${name}.json`), 'utf8')) as { request: Record<string, unknown> };
  change(body.request);
  return body;
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => cluster.stop());

function recorder(maxResults?: number): AuditRecorder {
  const api = cluster.api();
  return new AuditRecorder({ api, events: new EventRecorder(api, 'imgverify', 'replica-0', logger), logger, flushIntervalMs: 60_000, ...(maxResults ? { maxResults } : {}) });
}

test('an admitted CronJob failing an Audit rule and a passing Pod: one PolicyReport for the namespace, a PolicyViolation Event on the CronJob', async () => {
  const audit = recorder();
  const engine = new EngineDouble({ failureAction: 'Audit' });
  const options = { engine: () => engine, answerTimeoutMs: () => 1_000, recorder: audit, logger };
  const cronJob = await answerAdmission('mutate', 'Fail', review('cronjob-create'), options);
  const pod = await answerAdmission('mutate', 'Fail', review('pod-create'), options);
  const dryRun = await answerAdmission('mutate', 'Fail', review('deployment-create', (r) => (r.dryRun = true)), options);
  expect([cronJob.result, pod.result, dryRun.result]).toEqual(['allowed', 'patched', 'patched']);
  await audit.close();
  await new Promise((r) => setTimeout(r, 100));

  const report = cluster.double.get(reports, 'imgverify-audit') as unknown as { summary: unknown; results: PolicyReportResult[] };
  expect(reportValidator.validate(report)).toEqual([]);
  expect(report.summary).toEqual({ pass: 1, fail: 1, warn: 0, error: 0, skip: 0 });
  expect(report.results.map((r) => [r.resources[0]?.kind, r.resources[0]?.name, r.policy, r.rule, r.result, r.source])).toEqual([
    ['CronJob', 'nightly', 'check-images', 'autogen-cronjob-verify-signature', 'fail', 'imgverify'],
    ['Pod', 'signed', 'check-images', 'verify-signature', 'pass', 'imgverify'],
  ]);
  const recorded = cluster.double.list(events) as unknown as { reason: string; type: string; message: string; involvedObject: Record<string, string> }[];
  expect(recorded.map((e) => [e.type, e.reason, e.involvedObject, e.message])).toEqual([
    [
      'Warning',
      'PolicyViolation',
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', namespace: 'team-a' },
      'policy check-images/autogen-cronjob-verify-signature fail: failed to verify image registry.example/team/unsigned:1.0: .attestors[0].entries[0].keys: no signatures found',
    ],
  ]);
});

test('a second replica merges into the same report (same resource and rule: the newer result wins); the report keeps the newest results only', async () => {
  const other = recorder(2);
  const request = parseAdmissionReview(review('deployment-create')) as AdmissionRequestView;
  const rule = (status: RuleResponse['status']): RuleResponse => ({ policy: 'check-images', rule: 'autogen-verify-signature', type: 'ImageVerify', status, message: `deployment ${status}`, failureAction: 'Audit', failurePolicy: 'Fail' });
  other.record(request, [rule('fail')], false);
  other.record(request, [rule('pass')], false);
  await other.close();
  const report = cluster.double.get(reports, 'imgverify-audit') as unknown as { summary: unknown; results: PolicyReportResult[] };
  expect(reportValidator.validate(report)).toEqual([]);
  expect(report.results.map((r) => [r.resources[0]?.name, r.result, r.message])).toEqual([
    ['signed', 'pass', 'verified image signatures'],
    ['web', 'pass', 'deployment pass'],
  ]);
});
