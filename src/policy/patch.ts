// RFC 6902 `add`/`replace`/`remove` on plain JSON, as Kyverno applies its patches (missing parents of an `add` created).
import type { JsonPatchOperation } from './types.js';

function segments(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

type Container = Record<string, unknown> | unknown[];
const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

function applyOne(document: unknown, operation: JsonPatchOperation): unknown {
  const path = segments(operation.path);
  if (path.length === 0) return operation.op === 'remove' ? undefined : structuredClone(operation.value);
  let parent: unknown = document;
  for (const segment of path.slice(0, -1)) {
    if (!isContainer(parent)) throw new Error(`cannot apply ${operation.op} at ${operation.path}: a parent is not an object`);
    const container: Container = parent;
    let next = Array.isArray(container) ? container[Number(segment)] : container[segment];
    if (next === undefined && operation.op === 'add' && !Array.isArray(container)) {
      next = {};
      container[segment] = next;
    }
    parent = next;
  }
  const last = path.at(-1) as string;
  if (!isContainer(parent)) throw new Error(`cannot apply ${operation.op} at ${operation.path}: the parent does not exist`);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`cannot apply ${operation.op} at ${operation.path}: no such index`);
    if (operation.op === 'add') parent.splice(index, 0, structuredClone(operation.value));
    else if (operation.op === 'replace') parent[index] = structuredClone(operation.value);
    else parent.splice(index, 1);
  } else if (operation.op === 'remove') {
    delete parent[last];
  } else {
    if (operation.op === 'replace' && !Object.hasOwn(parent, last)) throw new Error(`cannot replace ${operation.path}: it does not exist`);
    parent[last] = structuredClone(operation.value);
  }
  return document;
}

/** `document` after `operations`, in order; the input is not changed. Throws when an operation does not apply. */
export function applyPatches(document: unknown, operations: readonly JsonPatchOperation[]): unknown {
  let out = structuredClone(document);
  for (const operation of operations) out = applyOne(out, operation);
  return out;
}
