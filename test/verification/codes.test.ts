// The error-code table: every domain's code union is exactly its rows (checked by the compiler), and the facts the service and CLI read.
import { expect, test } from 'vitest';
import type { AwsErrorCode } from '../../src/aws/index.js';
import type { AttestErrorCode } from '../../src/attest/index.js';
import type { CliErrorCode } from '../../src/cli/errors.js';
import type { ConditionsErrorCode } from '../../src/conditions/index.js';
import type { CosignErrorCode, SharedCosignErrorCode } from '../../src/cosign/index.js';
import { ConfigError, type ConfigErrorCode } from '../../src/config/index.js';
import type { KubernetesErrorCode } from '../../src/kube/index.js';
import { NotaryError, type NotaryErrorCode } from '../../src/notary/index.js';
import { OciError, type OciErrorCode } from '../../src/oci/index.js';
import type { PolicyErrorCode } from '../../src/policy/index.js';
import type { ReferenceErrorCode } from '../../src/reference/index.js';
import type { ServiceErrorCode } from '../../src/service/index.js';
import type { WebhookErrorCode } from '../../src/webhook/index.js';
import { CODE_INFO, toErrorInfo, type DomainErrorCode, type ErrorCode } from '../../src/verification/index.js';

/** Compiles only when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const unions: [
  Same<ReferenceErrorCode, DomainErrorCode<'reference'>>,
  Same<OciErrorCode, DomainErrorCode<'oci'>>,
  Same<NotaryErrorCode, DomainErrorCode<'notary'>>,
  Same<AwsErrorCode, DomainErrorCode<'aws'>>,
  Same<AttestErrorCode, DomainErrorCode<'attest'>>,
  Same<ConfigErrorCode, DomainErrorCode<'config'>>,
  Same<KubernetesErrorCode, DomainErrorCode<'kubernetes'>>,
  Same<ServiceErrorCode, DomainErrorCode<'service'>>,
  Same<CliErrorCode, DomainErrorCode<'cli'>>,
  Same<ConditionsErrorCode, DomainErrorCode<'conditions'>>,
  Same<Exclude<CosignErrorCode, SharedCosignErrorCode>, DomainErrorCode<'cosign'>>,
  Same<PolicyErrorCode, DomainErrorCode<'policy'>>,
  Same<WebhookErrorCode, DomainErrorCode<'webhook'>>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true];

const codes = (column: 'transient' | 'usage' | 'usageWhenSigning') =>
  (Object.keys(CODE_INFO) as ErrorCode[]).filter((code) => CODE_INFO[code][column]).sort();

test('each domain code union equals its rows of CODE_INFO', () => {
  expect(unions).toEqual([true, true, true, true, true, true, true, true, true, true, true, true, true]);
});

test('transient codes: never cached, retried next time (the service set, minus TOO_MANY_REQUESTS that nothing emits, plus the work budget)', () => {
  expect(codes('transient')).toEqual(['ABORTED', 'ADMISSION_FAILED', 'ADMISSION_TIMEOUT', 'CREDENTIALS_UNAVAILABLE', 'KUBERNETES_API_ERROR', 'REGISTRY_UNAVAILABLE', 'REVOCATION_UNKNOWN', 'TIMEOUT', 'UNAUTHORIZED', 'VERIFICATION_TIMEOUT', 'WORK_BUDGET_EXCEEDED']);
});

test('usage codes: exit 2 (the CLI sets of the registry commands and verify, and USAGE)', () => {
  expect(codes('usage')).toEqual([
    'CONDITION_INVALID',
    'COSIGN_UNSUPPORTED',
    'CREDENTIALS_UNAVAILABLE',
    'INVALID_ADMISSION_REVIEW',
    'INVALID_ARGUMENT',
    'INVALID_INPUT',
    'INVALID_KUBERNETES_OPTION',
    'INVALID_LAYOUT',
    'INVALID_POLICY_DOCUMENT',
    'INVALID_REFERENCE',
    'INVALID_TRUST_POLICY',
    'INVALID_TRUST_STORE',
    'JMESPATH_INVALID',
    'POLICY_INVALID',
    'POLICY_RESOURCE_INVALID',
    'USAGE',
  ]);
  expect(codes('usageWhenSigning')).toEqual([
    'CERTIFICATE_EXPIRED',
    'CONDITION_INVALID',
    'COSIGN_UNSUPPORTED',
    'CREDENTIALS_UNAVAILABLE',
    'INVALID_ADMISSION_REVIEW',
    'INVALID_ARGUMENT',
    'INVALID_CERTIFICATE_CHAIN',
    'INVALID_INPUT',
    'INVALID_KUBERNETES_OPTION',
    'INVALID_LAYOUT',
    'INVALID_POLICY_DOCUMENT',
    'INVALID_REFERENCE',
    'INVALID_TRUST_POLICY',
    'INVALID_TRUST_STORE',
    'JMESPATH_INVALID',
    'POLICY_INVALID',
    'POLICY_RESOURCE_INVALID',
    'UNSUPPORTED_ALGORITHM',
    'UNSUPPORTED_SIGNATURE_FORMAT',
    'USAGE',
  ]);
});

test.each([
  { name: 'an error of ours keeps its code', err: new OciError('REGISTRY_UNAVAILABLE', 'down'), fallback: undefined, expected: { code: 'REGISTRY_UNAVAILABLE', message: 'down' } },
  { name: 'a notary error', err: new NotaryError('UNTRUSTED_SIGNER', 'who'), fallback: 'INVALID_INPUT' as const, expected: { code: 'UNTRUSTED_SIGNER', message: 'who' } },
  { name: 'a config error', err: new ConfigError('INVALID_RESOURCE', 'bad'), fallback: undefined, expected: { code: 'INVALID_RESOURCE', message: 'bad' } },
  {
    name: 'a Node errno error is never a verdict code',
    err: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    fallback: undefined,
    expected: { code: 'INTERNAL_ERROR', message: 'read ECONNRESET' },
  },
  {
    name: 'an errno error takes the caller’s code',
    err: Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' }),
    fallback: 'INVALID_TRUST_POLICY' as const,
    expected: { code: 'INVALID_TRUST_POLICY', message: "ENOENT: no such file or directory, open '/x'" },
  },
  { name: 'a thrown string', err: 'boom', fallback: undefined, expected: { code: 'INTERNAL_ERROR', message: 'boom' } },
])('toErrorInfo: $name', ({ err, fallback, expected }) => {
  expect(toErrorInfo(err, fallback)).toEqual(expected);
});
