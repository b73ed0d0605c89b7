// Validates objects against a CRD's openAPIV3Schema offline, as the API server would: ajv for the
// OpenAPI keywords, plus the Kubernetes extensions ajv does not know (unknown fields as
// fieldValidation=Strict reports them, x-kubernetes-list-type set/map uniqueness, and the
// x-kubernetes-validations CEL rules, evaluated with cel-js). Also checks a schema is structural.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseCel } from '@marcbachmann/cel-js';

/** An OpenAPI v3 schema node as CRDs write it (the subset the walkers below read). */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  required?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
  [keyword: string]: unknown;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: SchemaNode };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; listKind?: string; plural: string; singular?: string; shortNames?: string[] };
    versions: CrdVersion[];
  };
}

/** `path: message` lines; empty when the object is valid. */
export type SchemaErrors = string[];

function formatAjvError(error: ErrorObject): string {
  return `${fieldPath(error.instancePath.split('/').slice(1))}: ${error.message ?? error.keyword}`;
}

/** `spec.trustPolicies[0].name`, as kubectl prints a field; `(root)` for the object itself. */
function fieldPath(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) out += /^\d+$/.test(segment) ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out === '' ? '(root)' : out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Kubernetes' checks beyond JSON Schema, walking schema and value together. */
function walkExtensions(schema: SchemaNode, value: unknown, path: readonly string[], errors: SchemaErrors, options: { strict: boolean; cel: boolean }): void {
  if (value === undefined || value === null) return;
  if (options.cel) {
    for (const validation of schema['x-kubernetes-validations'] ?? []) {
      let result: unknown;
      try {
        result = parseCel(validation.rule)({ self: value });
      } catch (err) {
        result = err;
      }
      if (result !== true) errors.push(`${fieldPath(path)}: ${validation.message ?? `failed rule: ${validation.rule}`}`);
    }
  }
  if (isObject(value)) {
    if (schema['x-kubernetes-embedded-resource'] || schema['x-kubernetes-preserve-unknown-fields']) {
      // Unknown fields are kept here; known ones are still checked.
      for (const [key, child] of Object.entries(schema.properties ?? {})) walkExtensions(child, value[key], [...path, key], errors, options);
      return;
    }
    if (schema.properties) {
      for (const [key, child] of Object.entries(value)) {
        const childSchema = schema.properties[key];
        if (childSchema) walkExtensions(childSchema, child, [...path, key], errors, options);
        else if (options.strict) errors.push(`${fieldPath(path)}: unknown field "${key}"`);
      }
    } else if (isObject(schema.additionalProperties)) {
      for (const [key, child] of Object.entries(value)) walkExtensions(schema.additionalProperties, child, [...path, key], errors, options);
    }
    return;
  }
  if (Array.isArray(value)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      value.forEach((item: unknown) => {
        const identity = JSON.stringify(listType === 'map' && isObject(item) ? keys.map((key) => item[key]) : item);
        if (seen.has(identity)) errors.push(`${fieldPath(path)}: duplicate entry ${identity}`);
        seen.add(identity);
      });
    }
    if (schema.items) value.forEach((item: unknown, index) => walkExtensions(schema.items as SchemaNode, item, [...path, String(index)], errors, options));
  }
}

export interface CrdValidator {
  validate(object: unknown): SchemaErrors;
}

/**
 * A validator for objects of `version` of `crd`. `strict`: unknown fields are errors (kubectl's
 * default --validate=strict); otherwise they would be pruned. `cel`: evaluate x-kubernetes-validations.
 */
export function crdValidator(crd: Crd, version: string, options: { strict?: boolean; cel?: boolean } = {}): CrdValidator {
  const entry = crd.spec.versions.find((v) => v.name === version);
  if (!entry) throw new Error(`${crd.metadata.name} has no version ${version}`);
  const schema = entry.schema.openAPIV3Schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate: ValidateFunction = ajv.compile(schema);
  const walkOptions = { strict: options.strict ?? true, cel: options.cel ?? true };
  return {
    validate(object) {
      const errors: SchemaErrors = [];
      if (!validate(object)) errors.push(...(validate.errors ?? []).map(formatAjvError));
      walkExtensions(schema, object, [], errors, walkOptions);
      return errors;
    },
  };
}

/**
 * Why `schema` is not structural (apiextensions.k8s.io/v1 rules, the ones a hand-written schema
 * can break): every node has a type unless int-or-string or preserve-unknown-fields says otherwise,
 * `properties` and `additionalProperties` are not both set, no $ref, and metadata is only typed.
 */
export function structuralProblems(schema: SchemaNode, path = 'openAPIV3Schema'): string[] {
  const problems: string[] = [];
  if (schema.type === undefined && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) {
    problems.push(`${path}: no type`);
  }
  if (schema.properties && schema.additionalProperties !== undefined) problems.push(`${path}: both properties and additionalProperties`);
  if ('$ref' in schema) problems.push(`${path}: $ref is not allowed`);
  if (schema['x-kubernetes-list-type'] === 'map' && schema.items) {
    for (const key of schema['x-kubernetes-list-map-keys'] ?? []) {
      if (!schema.items.required?.includes(key)) problems.push(`${path}: list-map key ${key} is not required`);
    }
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) problems.push(...structuralProblems(child, `${path}.properties.${key}`));
  if (isObject(schema.additionalProperties)) problems.push(...structuralProblems(schema.additionalProperties as SchemaNode, `${path}.additionalProperties`));
  if (schema.items) problems.push(...structuralProblems(schema.items, `${path}.items`));
  return problems;
}
