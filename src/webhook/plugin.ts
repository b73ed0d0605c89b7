// The admission endpoints as a fastify plugin, registered on the API app beside /checkimages: POST /mutate, /validate and their /ignore twins.
import type { FastifyPluginAsync } from 'fastify';
import { answerAdmission, type AdmissionHandlerOptions } from './admission.js';
import { IGNORE_SUFFIX, MAX_ADMISSION_REVIEW_BYTES, MUTATE_PATH, VALIDATE_PATH } from './constants.js';
import type { FailurePolicy } from './decision.js';
import type { WebhookType } from './metrics.js';

export type AdmissionPluginOptions = AdmissionHandlerOptions;

const ENDPOINTS: readonly { path: string; type: WebhookType; failurePolicy: FailurePolicy }[] = [
  { path: MUTATE_PATH, type: 'mutate', failurePolicy: 'Fail' },
  { path: `${MUTATE_PATH}${IGNORE_SUFFIX}`, type: 'mutate', failurePolicy: 'Ignore' },
  { path: VALIDATE_PATH, type: 'validate', failurePolicy: 'Fail' },
  { path: `${VALIDATE_PATH}${IGNORE_SUFFIX}`, type: 'validate', failurePolicy: 'Ignore' },
];

/** Answers every AdmissionReview with 200 and an AdmissionReview (a refusal is `allowed: false`, never an HTTP error), except bodies fastify refuses (size, JSON). */
export const admissionPlugin: FastifyPluginAsync<AdmissionPluginOptions> = async (app, options) => {
  for (const endpoint of ENDPOINTS) {
    app.post(endpoint.path, { bodyLimit: MAX_ADMISSION_REVIEW_BYTES }, async (request, reply) => {
      const started = process.hrtime.bigint();
      const aborted = new AbortController();
      // The response's close (not the request's, which fires once the body is read): the caller went away.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) aborted.abort(new DOMException('the API server closed the connection', 'AbortError'));
      });
      const answer = await answerAdmission(endpoint.type, endpoint.failurePolicy, request.body, options, aborted.signal);
      options.metrics?.requests.inc({ webhook: endpoint.type, result: answer.result, failure_policy: endpoint.failurePolicy });
      options.metrics?.duration.observe({ webhook: endpoint.type }, Number(process.hrtime.bigint() - started) / 1e9);
      return reply.code(200).header('content-type', 'application/json').send(JSON.stringify(answer.review));
    });
  }
};
