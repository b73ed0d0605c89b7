// What `apply` and `test` share: policy and resource files (a file, or every .yaml/.yml/.json of a folder), the engine on
// the registry client with --registry-mirror, and the admission request a resource file stands for.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextFileLimited } from '../../common/index.js';
import { parseManifestText } from '../../config/index.js';
import { awsKmsPublicKeys } from '../../aws/index.js';
import { RevocationChecker } from '../../pki/index.js';
import type { RegistryClient } from '../../oci/index.js';
import {
  cosignAttestorVerifier,
  createPolicyEngine,
  formatPolicyIssue,
  notaryAttestorVerifier,
  parsePolicies,
  PolicyError,
  registryResolver,
  type AdmissionRequestView,
  type CompiledKyvernoPolicy,
  type PolicyEngine,
  type PolicyIssue,
} from '../../policy/index.js';
import { CliError } from '../errors.js';

/** A policy or resource file larger than this is refused. */
export const MAX_POLICY_FILE_BYTES = 8 * 1024 * 1024;
/** Files read from one folder (a suite's, or a --policy folder). */
export const MAX_FOLDER_FILES = 1000;
const MANIFEST = /\.(ya?ml|json)$/i;

/** `path` if a file, else the manifests directly in the folder, sorted. */
export async function manifestFiles(path: string, flag: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new CliError('USAGE', `${flag} ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => MANIFEST.test(name)).sort();
  if (names.length > MAX_FOLDER_FILES) throw new CliError('USAGE', `${flag} ${path} holds more than ${MAX_FOLDER_FILES} manifests`);
  return names.map((name) => join(path, name));
}

export async function readManifestText(file: string, flag: string): Promise<string> {
  try {
    return await readTextFileLimited(file, MAX_POLICY_FILE_BYTES);
  } catch (err) {
    throw new CliError('USAGE', `${flag} ${file} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

/** Policies of every file; any error issue is a POLICY_INVALID listing them all, warnings are returned for printing. */
export async function loadPolicies(paths: readonly string[]): Promise<{ policies: CompiledKyvernoPolicy[]; warnings: PolicyIssue[] }> {
  const docs: { origin: string; text: string }[] = [];
  for (const path of paths) for (const file of await manifestFiles(path, '--policy')) docs.push({ origin: file, text: await readManifestText(file, '--policy') });
  const { policies, issues } = parsePolicies(docs);
  const errors = issues.filter((issue) => issue.severity === 'error');
  if (errors.length > 0) throw new PolicyError('POLICY_INVALID', `invalid policy:\n${errors.map((issue) => `  ${formatPolicyIssue(issue)}`).join('\n')}`);
  if (policies.length === 0) throw new PolicyError('POLICY_INVALID', `no Kyverno policy in ${paths.join(', ')}`);
  return { policies, warnings: issues };
}

export interface LoadedResource {
  origin: string;
  object: Record<string, unknown>;
  /** `namespace/Kind/name` (Kyverno's way of naming a resource in its CLI output), without namespace for cluster-scoped. */
  label: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every Kubernetes object of the files (a `List`'s items one by one); one without apiVersion, kind or name is POLICY_RESOURCE_INVALID. */
export async function loadResources(paths: readonly string[], flag = '--resource'): Promise<LoadedResource[]> {
  const out: LoadedResource[] = [];
  for (const path of paths) {
    for (const file of await manifestFiles(path, flag)) {
      const unit = parseManifestText(file, await readManifestText(file, flag));
      if (unit.status !== 'parsed') throw new PolicyError('POLICY_RESOURCE_INVALID', `${file}: ${unit.message}`);
      for (const document of unit.documents) {
        if (document.value === null || document.value === undefined) continue;
        const objects = isRecord(document.value) && document.value.kind === 'List' && Array.isArray(document.value.items) ? document.value.items : [document.value];
        for (const object of objects) {
          const metadata = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
          if (!isRecord(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || typeof metadata?.name !== 'string') {
            throw new PolicyError('POLICY_RESOURCE_INVALID', `${file}: a resource needs apiVersion, kind and metadata.name`);
          }
          const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
          out.push({ origin: file, object, label: `${namespace}/${object.kind}/${metadata.name}` });
        }
      }
    }
  }
  return out;
}

/** The CREATE request for a resource file, as the API server would send it (namespace `default` unless the object names one). */
export function requestForResource(resource: LoadedResource, subResource?: string): AdmissionRequestView {
  const object = resource.object;
  const apiVersion = String(object.apiVersion);
  const slash = apiVersion.indexOf('/');
  const metadata = object.metadata as { name: string; namespace?: string };
  return {
    uid: resource.label,
    kind: { group: slash === -1 ? '' : apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind: String(object.kind) },
    ...(subResource ? { subResource } : {}),
    namespace: metadata.namespace ?? 'default',
    name: metadata.name,
    operation: 'CREATE',
    object,
  };
}

/** `--registry-mirror FROM=TO` values as a map; each FROM once. */
export function parseMirrors(values: readonly string[]): Record<string, string> {
  const mirrors: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const from = value.slice(0, equals);
    const to = value.slice(equals + 1);
    if (equals <= 0 || to === '' || from.includes('/') || to.includes('/')) throw new CliError('USAGE', `--registry-mirror takes REGISTRY=MIRROR (hosts, e.g. ghcr.io=127.0.0.1:5000), got ${JSON.stringify(value)}`);
    if (Object.hasOwn(mirrors, from)) throw new CliError('USAGE', `--registry-mirror names ${from} twice`);
    mirrors[from] = to;
  }
  return mirrors;
}

/** The engine on `client`: Notary attestors on our Notary verifier, Cosign ones on src/cosign; SigstoreBundle answers VERIFIER_UNAVAILABLE. */
export function policyEngine(policies: CompiledKyvernoPolicy[], client: RegistryClient, mirrors: Record<string, string>): PolicyEngine {
  return createPolicyEngine({
    policies,
    resolver: registryResolver(client),
    verifiers: { Notary: notaryAttestorVerifier({ client, revocation: new RevocationChecker() }), Cosign: cosignAttestorVerifier({ client, kmsKey: awsKmsPublicKeys() }) },
    registryMirrors: mirrors,
  });
}
