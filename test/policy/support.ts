// Shared by the policy tests: the seed policies, a policy with the seed's certificate replaced, admission requests of resources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicies, type AdmissionRequestView, type CompiledKyvernoPolicy } from '../../src/policy/index.js';
import { REPOSITORY } from '../support/built-cli.js';

export const SEEDS = join(REPOSITORY, 'test', 'fixtures', 'policy', 'seeds');

export function seedText(name: string): string {
  return readFileSync(join(SEEDS, name), 'utf8');
}

/** The seed's PEM blocks (keys or certificates) replaced by `pem`, indented as the seed indents them. */
export function withPem(text: string, pem: string): string {
  return text.replace(/^( *)-----BEGIN ([A-Z ]+)-----\n[\s\S]*?-----END \2-----$/gm, (_block, indent: string) =>
    pem
      .trim()
      .split('\n')
      .map((line) => indent + line)
      .join('\n'),
  );
}

/** The policies of `text`; throws when any has an error issue (a test fixture must be valid). */
export function policiesOf(text: string, origin = 'policy.yaml'): CompiledKyvernoPolicy[] {
  const { policies, issues } = parsePolicies([{ origin, text }]);
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) throw new Error(`invalid test policy: ${JSON.stringify(errors)}`);
  return policies;
}

/** A CREATE request for `object` (group/version/kind from its apiVersion and kind). */
export function requestFor(object: Record<string, unknown>, overrides: Partial<AdmissionRequestView> = {}): AdmissionRequestView {
  const apiVersion = String(object.apiVersion);
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    uid: 'test',
    kind: { group, version, kind: String(object.kind) },
    operation: 'CREATE',
    namespace: metadata.namespace ?? 'default',
    ...(metadata.name !== undefined ? { name: metadata.name } : {}),
    object,
    ...overrides,
  };
}

export function pod(image: string, name = 'test'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image }] } };
}
