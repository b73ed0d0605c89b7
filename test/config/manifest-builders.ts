// Builders of TrustPolicy / TrustStore YAML manifests for config and service tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTARY_FIXTURES } from '../support/fixtures.js';

/** notation's e2e test signing certificate (self-signed, valid until 2122): a real PEM for trust stores. */
export const E2E_CERT_PEM = readFileSync(join(NOTARY_FIXTURES, 'notation-e2e/localkeys/e2e.crt'), 'utf8');

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

export interface TrustPolicyOptions {
  name: string;
  trustPolicyName?: string;
  level?: string;
  scopes?: string[];
  trustStores?: string[];
  trustedIdentities?: string[];
  statementName?: string;
}

export function trustPolicyYaml(options: TrustPolicyOptions): string {
  const scopes = options.scopes ?? ['*'];
  const stores = options.trustStores ?? [`ca:${options.name}-ts`];
  const identities = options.trustedIdentities ?? ['*'];
  return [
    'apiVersion: notation.nirmata.io/v1alpha1',
    'kind: TrustPolicy',
    'metadata:',
    `  name: ${options.name}`,
    'spec:',
    "  version: '1.0'",
    ...(options.trustPolicyName === undefined ? [] : [`  trustPolicyName: ${options.trustPolicyName}`]),
    '  trustPolicies:',
    `  - name: ${options.statementName ?? 'statement'}`,
    '    registryScopes:',
    ...scopes.map((s) => `    - ${JSON.stringify(s)}`),
    '    signatureVerification:',
    `      level: ${options.level ?? 'strict'}`,
    '    trustStores:',
    ...stores.map((s) => `    - ${s}`),
    '    trustedIdentities:',
    ...identities.map((s) => `    - ${JSON.stringify(s)}`),
    '',
  ].join('\n');
}

export function trustStoreYaml(options: { name: string; trustStoreName?: string; type?: string; pem?: string }): string {
  return [
    'apiVersion: notation.nirmata.io/v1alpha1',
    'kind: TrustStore',
    'metadata:',
    `  name: ${options.name}`,
    'spec:',
    `  trustStoreName: ${options.trustStoreName ?? options.name}`,
    `  type: ${options.type ?? 'ca'}`,
    '  caBundle: |-',
    indent(options.pem ?? E2E_CERT_PEM, 4),
    '',
  ].join('\n');
}
