// One AdmissionReview answered: parse, skip what needs no check, evaluate the policies within the answer deadline, and turn the outcome into Kyverno's answer.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { deadline, raceSignal } from '../common/index.js';
import { blocksRequest, type AdmissionRequestView, type EngineResponse, type PolicyEngine, type RuleResponse } from '../policy/index.js';
import { blockedMessage, resourceName, warningMessages, type FailurePolicy } from './decision.js';
import { WebhookError } from './errors.js';
import type { AdmissionResult, WebhookMetrics, WebhookType } from './metrics.js';
import { allow, deny, parseAdmissionReview, requestUid, type AdmissionReviewResponse } from './review.js';

/** Side effects of an admitted or refused request (Events, PolicyReports); never called for a dry run. */
export interface AdmissionRecorder {
  record(request: AdmissionRequestView, rules: readonly RuleResponse[], blocked: boolean): void;
}

export interface AdmissionHandlerOptions {
  /** The engine of the policies with this failure policy now; undefined when there are none. */
  engine(failurePolicy: FailurePolicy): PolicyEngine | undefined;
  /** How long we may take, kept below the webhook's timeoutSeconds. */
  answerTimeoutMs(failurePolicy: FailurePolicy): number;
  recorder?: AdmissionRecorder;
  /** The labels of a namespace as the cluster has them (namespaceSelector); never taken from the request. */
  namespaceLabels?(namespace: string): Record<string, string>;
  metrics?: WebhookMetrics;
  logger: Logger;
}

export interface AdmissionAnswer {
  review: AdmissionReviewResponse;
  result: AdmissionResult;
}

/**
 * An UPDATE that leaves everything but status and bookkeeping metadata as it was changes no image
 * and no label a policy matches on; it was checked when admitted. (Annotations are not compared:
 * we never read verification state from them.)
 */
export function changesNothingChecked(request: AdmissionRequestView): boolean {
  if (request.operation !== 'UPDATE' || request.oldObject === undefined || request.subResource !== undefined) return false;
  const checked = (object: unknown) => {
    const { status: _status, metadata, ...rest } = object as { status?: unknown; metadata?: { labels?: unknown } };
    return { ...rest, labels: metadata?.labels ?? {} };
  };
  return isDeepStrictEqual(checked(request.object), checked(request.oldObject));
}

function ruleSummary(rules: readonly RuleResponse[]): string[] {
  return rules.map((rule) => `${rule.policy}/${rule.rule}: ${rule.status}`);
}

/** Answer one AdmissionReview body for the webhook `type` of the endpoint with `failurePolicy`. Never throws. */
export async function answerAdmission(type: WebhookType, failurePolicy: FailurePolicy, body: unknown, options: AdmissionHandlerOptions, parent?: AbortSignal): Promise<AdmissionAnswer> {
  let request: AdmissionRequestView;
  try {
    request = parseAdmissionReview(body);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    options.logger.warn({ webhook: type, code: 'INVALID_ADMISSION_REVIEW' }, message);
    return { review: deny(requestUid(body), message, 400), result: 'invalid' };
  }
  const { uid } = request;
  if (request.operation === 'DELETE' || request.operation === 'CONNECT' || changesNothingChecked(request)) return { review: allow(uid), result: 'unchanged' };
  const engine = options.engine(failurePolicy);
  if (!engine) return { review: allow(uid), result: 'allowed' };

  if (request.namespace && request.kind.kind !== 'Namespace' && options.namespaceLabels) request.namespaceLabels = options.namespaceLabels(request.namespace);
  const timeoutMs = options.answerTimeoutMs(failurePolicy);
  const resource = resourceName(request.kind.kind, request.object, request.namespace, request.name);
  const limit = deadline([parent], { timeoutMs, timeoutMessage: `the policies were not evaluated within ${timeoutMs} ms` });
  let response: EngineResponse;
  try {
    response = await raceSignal(engine.evaluate(request, limit.signal), limit.signal);
  } catch (err) {
    const timedOut = limit.timedOut;
    const error = timedOut
      ? new WebhookError('ADMISSION_TIMEOUT', `imgverify could not verify the images of ${resource} within ${timeoutMs} ms`, { cause: err })
      : new WebhookError('ADMISSION_FAILED', `imgverify could not evaluate its policies for ${resource}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    options.logger.error({ err, webhook: type, uid, resource, failurePolicy, code: error.code }, failurePolicy === 'Fail' ? 'refused: policies not evaluated (failurePolicy Fail)' : 'admitted: policies not evaluated (failurePolicy Ignore)');
    const result = timedOut ? 'timeout' : 'error';
    return failurePolicy === 'Fail' ? { review: deny(uid, error.message), result } : { review: allow(uid, [], [error.message]), result };
  } finally {
    limit.dispose();
  }

  for (const rule of response.rules) options.metrics?.ruleResults.inc({ policy: rule.policy, rule: rule.rule, status: rule.status });
  // Each rule carries its policy's failurePolicy, the endpoint's (the engines are split by it).
  let blocked = response.rules.some(blocksRequest);
  let message = blocked ? blockedMessage(response.rules, resource) : '';
  if (!blocked && type === 'validate' && response.patches.length > 0 && response.rules.some((rule) => rule.status === 'pass' && rule.failureAction === 'Enforce')) {
    // The mutating webhook pinned every verified image to its digest; one that is not pinned now was changed after it.
    blocked = true;
    message = `resource ${resource}: an image is not the digest imgverify verified at admission (was it changed by a later mutating webhook?): ${response.patches.map((patch) => patch.path).join(', ')}`;
  }
  if (!request.dryRun && type === 'mutate') options.recorder?.record(request, response.rules, blocked);
  options.logger.info({ webhook: type, uid, resource, operation: request.operation, dryRun: request.dryRun ?? false, blocked, rules: ruleSummary(response.rules) }, blocked ? 'admission refused' : 'admission allowed');
  if (blocked) return { review: deny(uid, message), result: 'denied' };
  const patches = type === 'mutate' ? response.patches : [];
  return { review: allow(uid, patches, warningMessages(response.rules)), result: patches.length > 0 ? 'patched' : 'allowed' };
}
