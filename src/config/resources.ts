// Schemas of the TrustPolicy and TrustStore resources (the kyverno-notation-aws CRDs), as zod and JSON Schema.
import * as z from 'zod';
import { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE } from './constants.js';

const VERIFICATION_LEVELS = ['strict', 'permissive', 'audit', 'skip'] as const;
const VALIDATION_TYPES = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'] as const;
const VALIDATION_ACTIONS = ['enforce', 'log', 'skip'] as const;
/** `spec.type` of a TrustStore resource: the CRD's enum, which names the Notary trust store types (config does not import notary). */
export const TRUST_STORE_RESOURCE_TYPES = ['ca', 'signingAuthority', 'tsa'] as const;
export type TrustStoreResourceType = (typeof TRUST_STORE_RESOURCE_TYPES)[number];

/** `{type}:{name}` as trust policy statements name trust stores (trust-store-trust-policy.md). */
const TRUST_STORE_REFERENCE_PATTERN = /^(ca|signingAuthority|tsa):([^:\s/\\]+)$/;

const nonEmpty = z.string().min(1, 'must not be empty');

/** Kubernetes object metadata: only `name` matters here; labels, annotations... are kept as given. */
const metadataSchema = z.looseObject({
  name: nonEmpty.meta({ description: 'Name of the resource (cluster-scoped, unique per kind).' }),
});

const signatureVerificationSchema = z
  .strictObject({
    level: z.enum(VERIFICATION_LEVELS).meta({ description: 'Verification level of the Notary trust policy spec.' }),
    override: z
      .partialRecord(z.enum(VALIDATION_TYPES), z.enum(VALIDATION_ACTIONS))
      .optional()
      .meta({ description: 'Custom verification level: validation type → action.' }),
    verifyTimestamp: z
      .enum(['always', 'afterCertExpiry'])
      .optional()
      .meta({ description: 'When to verify the timestamp countersignature (default always).' }),
  })
  .meta({ description: 'How signature verification is performed.' });

const trustPolicyStatementSchema = z
  .strictObject({
    name: nonEmpty.meta({ description: 'Name of the policy statement.' }),
    registryScopes: z
      .array(nonEmpty)
      .min(1, 'must list at least one scope ("*" or registry/repository)')
      .meta({ description: 'Repositories (registry/repository) this statement applies to, or "*".' }),
    signatureVerification: signatureVerificationSchema,
    trustStores: z
      .array(
        z
          .string()
          .regex(TRUST_STORE_REFERENCE_PATTERN, 'must be {type}:{name} with type ca, signingAuthority or tsa'),
      )
      .optional()
      .meta({ description: 'Trust stores, as {type}:{name} of TrustStore resources.' }),
    trustedIdentities: z
      .array(nonEmpty)
      .optional()
      .meta({ description: 'x509.subject: DNs or AWS Signer profile ARNs, or "*".' }),
  })
  .meta({ description: 'A Notary trust policy statement.' });

const trustPolicySpecSchema = z.strictObject({
  version: z
    .literal('1.0', { error: 'must be the string "1.0" (quote it in YAML: version: "1.0")' })
    .meta({ description: 'Version of the trust policy document.' }),
  trustPolicyName: nonEmpty
    .optional()
    .meta({ description: 'Name requests select (trustPolicy / DEFAULT_TRUST_POLICY); defaults to metadata.name.' }),
  trustPolicies: z
    .array(trustPolicyStatementSchema)
    .min(1, 'must hold at least one trust policy statement')
    .meta({ description: 'The Notary trust policy statements.' }),
});

const trustStoreSpecSchema = z.strictObject({
  trustStoreName: nonEmpty
    .regex(/^[^:\s/\\]+$/, 'must not contain ":", "/", "\\" or whitespace')
    .meta({ description: 'Name trust policies use in {type}:{name}.' }),
  type: z.enum(TRUST_STORE_RESOURCE_TYPES).meta({ description: 'Trust store type: ca, signingAuthority or tsa.' }),
  caBundle: nonEmpty.meta({ description: 'PEM-encoded certificates (roots of trust).' }),
});

function resourceSchema<Kind extends string, Spec extends z.ZodType>(kind: Kind, spec: Spec, description: string) {
  return z
    .looseObject({
      apiVersion: z.literal(API_VERSION, { error: `must be ${API_VERSION}` }),
      kind: z.literal(kind),
      metadata: metadataSchema,
      spec,
    })
    .meta({ title: kind, description });
}

export const trustPolicyResourceSchema = resourceSchema(
  KIND_TRUST_POLICY,
  trustPolicySpecSchema,
  'A Notary trust policy document (notation.nirmata.io/v1alpha1 TrustPolicy).',
);
export const trustStoreResourceSchema = resourceSchema(
  KIND_TRUST_STORE,
  trustStoreSpecSchema,
  'A named set of trusted certificates (notation.nirmata.io/v1alpha1 TrustStore).',
);

export type TrustPolicySpec = z.infer<typeof trustPolicySpecSchema>;
export type TrustPolicyStatementSpec = z.infer<typeof trustPolicyStatementSchema>;
export type TrustStoreSpec = z.infer<typeof trustStoreSpecSchema>;

/** JSON Schema (draft 2020-12) of each kind: what `schemas/*.schema.json` hold. */
export function resourceJsonSchemas(): Record<'trustpolicy' | 'truststore', Record<string, unknown>> {
  const options = { target: 'draft-2020-12', io: 'input' } as const;
  return {
    trustpolicy: {
      $id: 'https://imgverify.dev/schemas/trustpolicy.schema.json',
      ...z.toJSONSchema(trustPolicyResourceSchema, options),
    },
    truststore: {
      $id: 'https://imgverify.dev/schemas/truststore.schema.json',
      ...z.toJSONSchema(trustStoreResourceSchema, options),
    },
  };
}

/** One problem with one field of a resource, as `spec.trustPolicies[0].name` + message. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Render a zod issue path the way kubectl does: `spec.trustPolicies[0].registryScopes`. */
function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(document)' : out;
}

export function zodFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ field: formatFieldPath(issue.path), message: issue.message }));
}
