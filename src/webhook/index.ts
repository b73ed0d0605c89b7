// Public face of the webhook domain: imgverify as a Kubernetes admission webhook (AdmissionReview endpoints, policy CRDs, generated webhook configurations, audit).
export * from './constants.js';
export { WebhookError, type WebhookErrorCode } from './errors.js';
export { allow, deny, parseAdmissionReview, type AdmissionResponse, type AdmissionReviewResponse } from './review.js';
export { blockedMessage, resourceName, warningMessages, type FailurePolicy } from './decision.js';
export { answerAdmission, changesNothingChecked, type AdmissionAnswer, type AdmissionHandlerOptions, type AdmissionRecorder } from './admission.js';
export { admissionPlugin, type AdmissionPluginOptions } from './plugin.js';
export { WebhookMetrics, type AdmissionResult, type WebhookType } from './metrics.js';
export { convertPolicies, type ConvertedPolicies } from './convert.js';
export { kindRule, webhookConfigurations, webhookTimeouts, type WebhookConfigurations, type WebhookTarget } from './configurations.js';
export { caBundle, WebhookRegistration, type WebhookRegistrationOptions } from './registration.js';
export { AuditRecorder, mergeResults, summaryOf, type AuditRecorderOptions, type PolicyReportResult } from './audit.js';
export { PolicySource, readyCondition, type Condition, type PolicySourceOptions } from './policy-source.js';
export { NamespaceLabels } from './namespaces.js';
