// AdmissionReview v1 at the boundary: the request parsed into the engine's view (shape and depth checked), and the response envelopes we send back.
import { ADMISSION_API_VERSION, ADMISSION_REVIEW_KIND, MAX_OBJECT_DEPTH } from './constants.js';
import type { AdmissionRequestView, JsonPatchOperation } from '../policy/index.js';
import { WebhookError } from './errors.js';

/** The AdmissionResponse fields we write (admission.k8s.io/v1). */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { status: 'Failure'; message: string; code?: number };
  patchType?: 'JSONPatch';
  /** base64 of the JSON Patch document. */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_REVIEW_KIND;
  response: AdmissionResponse;
}

type Json = Record<string, unknown>;

const OPERATIONS: readonly AdmissionRequestView['operation'][] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string): WebhookError {
  return new WebhookError('INVALID_ADMISSION_REVIEW', `invalid AdmissionReview: ${message}`);
}

function optionalString(request: Json, field: string): string | undefined {
  const value = request[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`request.${field} must be a string`);
  return value;
}

/** Depth of a JSON value, stopping (and refusing) past the bound so no walk of ours can overflow the stack. */
function checkDepth(value: unknown, field: string): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= MAX_OBJECT_DEPTH) throw invalid(`request.${field} is nested deeper than ${MAX_OBJECT_DEPTH} levels`);
    for (const child of Object.values(node as Json)) stack.push({ value: child, depth: depth + 1 });
  }
}

/** The uid of a body that looks like an AdmissionReview, so even a refusal echoes it. */
export function requestUid(body: unknown): string {
  const request = isObject(body) ? body.request : undefined;
  return isObject(request) && typeof request.uid === 'string' ? request.uid : '';
}

/** Parse an AdmissionReview v1 request; throws INVALID_ADMISSION_REVIEW naming the field at fault. */
export function parseAdmissionReview(body: unknown): AdmissionRequestView {
  if (!isObject(body)) throw invalid('the body must be a JSON object');
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== ADMISSION_REVIEW_KIND) {
    throw invalid(`expected apiVersion ${ADMISSION_API_VERSION} and kind ${ADMISSION_REVIEW_KIND}, got ${String(body.apiVersion)} ${String(body.kind)}`);
  }
  const request = body.request;
  if (!isObject(request)) throw invalid('request is missing');
  const uid = request.uid;
  if (typeof uid !== 'string' || uid === '') throw invalid('request.uid is missing');
  const kind = request.kind;
  if (!isObject(kind) || typeof kind.kind !== 'string' || typeof kind.version !== 'string' || (kind.group !== undefined && typeof kind.group !== 'string')) {
    throw invalid('request.kind must be {group, version, kind}');
  }
  const operation = request.operation;
  if (typeof operation !== 'string' || !OPERATIONS.includes(operation as AdmissionRequestView['operation'])) {
    throw invalid(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  }
  const dryRun = request.dryRun;
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean') throw invalid('request.dryRun must be a boolean');
  const view: AdmissionRequestView = {
    uid,
    kind: { group: typeof kind.group === 'string' ? kind.group : '', version: kind.version, kind: kind.kind },
    operation: operation as AdmissionRequestView['operation'],
    object: request.object ?? null,
  };
  const subResource = optionalString(request, 'subResource');
  const namespace = optionalString(request, 'namespace');
  const name = optionalString(request, 'name');
  if (subResource) view.subResource = subResource;
  if (namespace) view.namespace = namespace;
  if (name) view.name = name;
  if (request.oldObject !== undefined && request.oldObject !== null) view.oldObject = request.oldObject;
  if (dryRun === true) view.dryRun = true;
  const userInfo = request.userInfo;
  if (isObject(userInfo)) {
    view.userInfo = {
      ...(typeof userInfo.username === 'string' ? { username: userInfo.username } : {}),
      ...(Array.isArray(userInfo.groups) ? { groups: userInfo.groups.filter((g): g is string => typeof g === 'string') } : {}),
    };
  }
  if ((view.operation === 'CREATE' || view.operation === 'UPDATE') && !isObject(view.object)) throw invalid(`request.object must be an object for ${view.operation}`);
  checkDepth(view.object, 'object');
  checkDepth(view.oldObject, 'oldObject');
  return view;
}

function envelope(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response };
}

/** Admit, with the patch (if any) as base64 JSONPatch and the warnings (if any). */
export function allow(uid: string, patches: readonly JsonPatchOperation[] = [], warnings: readonly string[] = []): AdmissionReviewResponse {
  return envelope({
    uid,
    allowed: true,
    ...(patches.length > 0 ? { patchType: 'JSONPatch' as const, patch: Buffer.from(JSON.stringify(patches)).toString('base64') } : {}),
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
  });
}

/** Refuse with a message the API server shows as `admission webhook "…" denied the request: <message>`. */
export function deny(uid: string, message: string, code?: number): AdmissionReviewResponse {
  return envelope({ uid, allowed: false, status: { status: 'Failure', message, ...(code !== undefined ? { code } : {}) } });
}
