// `imgverify discover <ref>`: the referrers graph of an artifact, as a tree or JSON, like `oras discover`.
import { DEFAULT_REFERRERS_TREE_DEPTH, OciError, referrersTree, type Descriptor, type ReferrerNode, type RegistryClient } from '../../oci/index.js';
import { processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { pinnedName, reportError, resolveTarget, runWithRegistryClient, timeoutSignal } from '../options.js';

const MAX_DEPTH = 64;

export interface DiscoverCommandOptions extends RegistryCliOptions, LogCliOptions {
  output: 'tree' | 'json';
  artifactType?: string;
  depth?: string;
  ociLayout?: boolean;
  timeout?: string;
}

/** JSON node: the fields of `oras discover -o json`, children under `manifests`. */
export interface DiscoverJson {
  reference: string;
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  manifests: DiscoverJson[];
}

function jsonNode(name: (digest: string) => string, descriptor: Descriptor, referrers: ReferrerNode[]): DiscoverJson {
  return {
    reference: name(descriptor.digest),
    mediaType: descriptor.mediaType,
    digest: descriptor.digest,
    size: descriptor.size,
    ...(descriptor.artifactType ? { artifactType: descriptor.artifactType } : {}),
    ...(descriptor.annotations && Object.keys(descriptor.annotations).length ? { annotations: descriptor.annotations } : {}),
    manifests: referrers.map((r) => jsonNode(name, r.descriptor, r.referrers)),
  };
}

/** Tree lines as oras draws them: referrers grouped under their artifact type, digests below. */
function renderTree(root: string, referrers: ReferrerNode[]): string {
  const lines = [root];
  const draw = (nodes: ReferrerNode[], prefix: string): void => {
    const groups = new Map<string, ReferrerNode[]>();
    for (const node of nodes) {
      const type = node.descriptor.artifactType ?? '<unknown>';
      groups.set(type, [...(groups.get(type) ?? []), node]);
    }
    const entries = [...groups.entries()];
    entries.forEach(([type, members], g) => {
      const lastGroup = g === entries.length - 1;
      lines.push(`${prefix}${lastGroup ? '└── ' : '├── '}${type}`);
      const groupPrefix = prefix + (lastGroup ? '    ' : '│   ');
      members.forEach((member, m) => {
        const lastMember = m === members.length - 1;
        lines.push(`${groupPrefix}${lastMember ? '└── ' : '├── '}${member.descriptor.digest}`);
        draw(member.referrers, groupPrefix + (lastMember ? '    ' : '│   '));
      });
    });
  };
  draw(referrers, '');
  return lines.join('\n') + '\n';
}

async function runDiscover(reference: string, options: DiscoverCommandOptions, deps: { client?: RegistryClient; output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const depth = options.depth === undefined ? DEFAULT_REFERRERS_TREE_DEPTH : Number(options.depth);
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > MAX_DEPTH) {
      throw new OciError('INVALID_ARGUMENT', `--depth must be a whole number from 1 to ${MAX_DEPTH}, got ${JSON.stringify(options.depth)}`);
    }
    const signal = timeoutSignal(options.timeout);
    const { opened, descriptor: subject } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), client: deps.client, signal });
    const referrers = await referrersTree(opened.store, subject, { maxDepth: depth, signal, ...(options.artifactType ? { artifactType: options.artifactType } : {}) });
    const name = (digest: string): string => pinnedName(opened, digest);
    if (options.output === 'json') output.stdout(`${JSON.stringify(jsonNode(name, subject, referrers), null, 2)}\n`);
    else output.stdout(renderTree(name(subject.digest), referrers));
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

export function discoverAction(reference: string, options: DiscoverCommandOptions): Promise<void> {
  return runWithRegistryClient(options, !options.ociLayout, (deps) => runDiscover(reference, options, deps));
}
