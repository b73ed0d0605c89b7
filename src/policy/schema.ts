// Kyverno's own CRD schema (schemas/kyverno-policy.schema.json, generated from the CRD) applied to policy documents:
// ajv for types, enums and required fields; a walk for the fields the API server would prune (reported, not refused).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  $ref?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

interface SchemaFile {
  versions: Record<string, SchemaNode & { $defs?: Record<string, SchemaNode> }>;
}

/** Installed package and source tree alike: the file sits in `schemas/` two levels above this module (src/policy, dist/cli). */
const SCHEMA_URL = new URL('../../schemas/kyverno-policy.schema.json', import.meta.url);

let schemaFile: SchemaFile | undefined;
const validators = new Map<string, ValidateFunction>();

function loadSchemaFile(): SchemaFile {
  schemaFile ??= JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as SchemaFile;
  return schemaFile;
}

/** The API versions the CRD serves (`v1`, `v2beta1`). */
export function servedVersions(): string[] {
  return Object.keys(loadSchemaFile().versions);
}

/** `spec.rules[0].name`, as kubectl names a field. */
export function fieldPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const segment of segments) out += typeof segment === 'number' || /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

function ajvMessage(error: ErrorObject): string {
  if (error.keyword === 'enum') return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  if (error.keyword === 'required') return `${(error.params as { missingProperty: string }).missingProperty} is required`;
  if (error.keyword === 'not') return 'sets fields that exclude each other (e.g. both any and all, or both name and names)';
  return error.message ?? error.keyword;
}

export interface SchemaProblem {
  field: string;
  message: string;
}

function validator(version: string): ValidateFunction | undefined {
  const known = validators.get(version);
  if (known) return known;
  const schema = loadSchemaFile().versions[version];
  if (!schema) return undefined;
  // optimize:false: the generated code is larger but compiles in a fraction of the time (this runs at CLI start).
  const compiled = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { optimize: false } }).compile(schema);
  validators.set(version, compiled);
  return compiled;
}

function unknownFields(value: unknown, node: SchemaNode, defs: Record<string, SchemaNode>, path: (string | number)[], out: SchemaProblem[]): void {
  const schema = node.$ref ? defs[node.$ref.slice('#/$defs/'.length)] : node;
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, index) => unknownFields(item, schema.items as SchemaNode, defs, [...path, index], out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    const childSchema = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (childSchema) unknownFields(child, childSchema, defs, [...path, key], out);
    else if (schema.properties && schema.additionalProperties === undefined) out.push({ field: fieldPath([...path, key]), message: 'unknown field (Kyverno\'s API server prunes it: it has no effect)' });
  }
}

/** Schema errors (the API server would refuse the policy) and unknown fields (it would prune them) of one document. */
export function checkPolicySchema(document: Record<string, unknown>, version: string): { errors: SchemaProblem[]; unknown: SchemaProblem[] } {
  const validate = validator(version);
  if (!validate) return { errors: [{ field: 'apiVersion', message: `kyverno.io/${version} is not served (served: ${servedVersions().map((name) => `kyverno.io/${name}`).join(', ')})` }], unknown: [] };
  const errors = validate(document) ? [] : (validate.errors ?? []).map((error) => ({ field: fieldPath(error.instancePath.split('/').slice(1)) || '(document)', message: ajvMessage(error) }));
  const unknown: SchemaProblem[] = [];
  const schema = loadSchemaFile().versions[version] as SchemaNode & { $defs?: Record<string, SchemaNode> };
  const spec = schema.properties?.spec;
  if (spec) unknownFields(document.spec, spec, schema.$defs ?? {}, ['spec'], unknown);
  return { errors, unknown };
}
