// A double of the verifyImages policy engine (src/policy, issue 16) behind its port: canned outcomes by image name, so the webhook's own behaviour is what the tests see.
//
// Images are found where Pods, pod templates, CronJob job templates and Tekton steps keep them.
// An image whose name contains `unsigned` fails (Kyverno's message), `slow` never finishes before
// the signal aborts, `broken` makes evaluate throw, `crowded` is an `error` rule that is no registry
// failure (the engine's answer to too many images); any other is verified and, unless pinned by
// digest already, patched to `<image>@sha256:<DIGEST>`. Rule names follow Kyverno's autogen.
import type { AdmissionRequestView, EngineResponse, JsonPatchOperation, PolicyEngine, RuleResponse } from '../../src/policy/index.js';

export const DIGEST = `sha256:${'b31b'.repeat(16)}`;

export interface EngineDoubleOptions {
  policy?: string;
  rule?: string;
  failureAction?: RuleResponse['failureAction'];
  failurePolicy?: RuleResponse['failurePolicy'];
}

interface FoundImage {
  path: string;
  image: string;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers', 'steps'];

function findImages(value: unknown, path: string, found: FoundImage[]): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const childPath = `${path}/${key}`;
    if (CONTAINER_LISTS.includes(key) && Array.isArray(child)) {
      child.forEach((container: { image?: unknown }, index) => {
        if (typeof container.image === 'string') found.push({ path: `${childPath}/${index}/image`, image: container.image });
      });
    } else if (key !== 'metadata' && key !== 'status') findImages(child, childPath, found);
  }
}

/** Kyverno's autogen rule name for the kind. */
function ruleName(kind: string, rule: string): string {
  if (kind === 'CronJob') return `autogen-cronjob-${rule}`;
  return ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'ReplicationController'].includes(kind) ? `autogen-${rule}` : rule;
}

export class EngineDouble implements PolicyEngine {
  /** Every request evaluated, in order. */
  readonly calls: AdmissionRequestView[] = [];
  readonly #options: Required<EngineDoubleOptions>;

  constructor(options: EngineDoubleOptions = {}) {
    this.#options = { policy: 'check-images', rule: 'verify-signature', failureAction: 'Enforce', failurePolicy: 'Fail', ...options };
  }

  async evaluate(request: AdmissionRequestView, signal: AbortSignal): Promise<EngineResponse> {
    this.calls.push(request);
    const images: FoundImage[] = [];
    findImages(request.object, '', images);
    if (images.some((i) => i.image.includes('broken'))) throw new Error('engine double: broken on purpose');
    if (images.some((i) => i.image.includes('slow'))) {
      await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    }
    const { policy, failureAction, failurePolicy } = this.#options;
    const rule = ruleName(request.kind.kind, this.#options.rule);
    const base = { policy, rule, type: 'ImageVerify' as const, failureAction, failurePolicy };
    if (images.some((i) => i.image.includes('crowded'))) {
      const message = `failed to extract images: the resource has ${images.length} images, more than the limit of 1`;
      return { rules: [{ ...base, status: 'error', message, error: { code: 'POLICY_RESOURCE_INVALID', message } }], patches: [], patched: request.object, verifiedImages: [] };
    }
    const failed = images.find((i) => i.image.includes('unsigned'));
    if (failed) {
      const message = `failed to verify image ${failed.image}: .attestors[0].entries[0].keys: no signatures found`;
      return { rules: [{ ...base, status: 'fail', message }], patches: [], patched: request.object, verifiedImages: [] };
    }
    const patches: JsonPatchOperation[] = images.filter((i) => !i.image.includes('@')).map((i) => ({ op: 'replace', path: i.path, value: `${i.image}@${DIGEST}` }));
    return {
      rules: images.length === 0 ? [] : [{ ...base, status: 'pass', message: 'verified image signatures' }],
      patches,
      patched: request.object,
      verifiedImages: images.map((i) => ({ path: i.path, reference: i.image.split('@')[0] as string, digest: DIGEST })),
    };
  }
}
