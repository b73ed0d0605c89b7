// `imgverify copy <src> <dst> [-r]`: copy an artifact (and with -r its referrers) between registries and OCI layouts.
import { copyGraph, OciError, type RegistryClient } from '../../oci/index.js';
import { isDigest } from '../../reference/index.js';
import { processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { openTarget, pinnedName, reportError, runWithRegistryClient, timeoutSignal, type OpenedTarget } from '../options.js';

export interface CopyCommandOptions extends RegistryCliOptions, LogCliOptions {
  recursive?: boolean;
  /** A layout path (our form), or true: the argument is one (oras's form). */
  fromOciLayout?: string | boolean;
  toOciLayout?: string | boolean;
  output: 'text' | 'json';
  timeout?: string;
}

type Endpoint = { value: string; layout: boolean };

/**
 * Source and destination from positionals and the layout flags, in our form (`--from-oci-layout
 * PATH`, `--to-oci-layout PATH` in place of an argument) or oras's (the flags as booleans, the
 * arguments are the layout paths). A flag with no value marks oras's form; then a value the other
 * flag took (`--from-oci-layout --to-oci-layout SRC DST`) is the first argument given back.
 * Throws INVALID_ARGUMENT when they don't add up.
 */
function copyEndpoints(positionals: string[], options: Pick<CopyCommandOptions, 'fromOciLayout' | 'toOciLayout'>): { source: Endpoint; destination: Endpoint } {
  const rest = [...positionals];
  let { fromOciLayout: from, toOciLayout: to } = options;
  if (from === true || to === true) {
    if (typeof from === 'string') {
      rest.unshift(from);
      from = true;
    }
    if (typeof to === 'string') {
      rest.unshift(to);
      to = true;
    }
  }
  const take = (flag: string | boolean | undefined): Endpoint | undefined =>
    typeof flag === 'string' ? { value: flag, layout: true } : rest.length ? { value: rest.shift() as string, layout: flag === true } : undefined;
  const source = take(from);
  const destination = take(to);
  if (!source || !destination) {
    throw new OciError('INVALID_ARGUMENT', 'copy needs a source and a destination: imgverify copy <src> <dst>, or --from-oci-layout PATH[:tag|@digest] / --to-oci-layout PATH[:tag] in place of one');
  }
  if (rest.length) throw new OciError('INVALID_ARGUMENT', `unexpected extra argument ${JSON.stringify(rest[0])}`);
  return { source, destination };
}

/** The destination tag: the one named, else none for a digest destination, else the source tag. */
function destinationTag(destination: OpenedTarget, sourceTarget: string): string | null {
  const named = destination.reference ? destination.reference.tag : destination.target !== undefined && !isDigest(destination.target) ? destination.target : undefined;
  if (named !== undefined) return named;
  const pinned = destination.reference ? destination.reference.digest : destination.target;
  if (pinned !== undefined) return null;
  return isDigest(sourceTarget) ? null : sourceTarget;
}

async function runCopy(positionals: string[], options: CopyCommandOptions, deps: { client?: RegistryClient; output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const signal = timeoutSignal(options.timeout);
    const { source, destination } = copyEndpoints(positionals, options);
    const client = deps.client ? { client: deps.client } : {};
    const src = await openTarget(source.value, { ociLayout: source.layout, ...client });
    if (src.target === undefined) throw new OciError('INVALID_ARGUMENT', `name what to copy: ${source.value}:<tag> or ${source.value}@<digest>`);
    const dst = await openTarget(destination.value, { ociLayout: destination.layout, create: true, ...client });
    const root = await src.store.resolve(src.target, { signal });
    const pinned = dst.reference?.digest ?? (dst.target !== undefined && isDigest(dst.target) ? dst.target : undefined);
    if (pinned !== undefined && pinned !== root.digest) {
      throw new OciError('INVALID_ARGUMENT', `the destination names digest ${pinned} but the source is ${root.digest}`);
    }
    const tag = destinationTag(dst, src.target);
    const result = await copyGraph(src.store, dst.store, root.digest, { recursive: Boolean(options.recursive), tag, signal });
    const destinationName = tag ? `${dst.name}:${tag}` : pinnedName(dst, root.digest);
    if (options.output === 'json') {
      output.stdout(
        `${JSON.stringify(
          { source: pinnedName(src, root.digest), destination: destinationName, digest: root.digest, mediaType: root.mediaType, size: root.size, manifests: result.manifests, blobs: result.blobs, referrers: result.referrers },
          null,
          2,
        )}\n`,
      );
    } else {
      output.stdout(
        `Copied ${src.display} => ${destinationName}\nDigest: ${root.digest}\nCopied ${result.manifests} manifest(s), ${result.blobs} blob(s), ${result.referrers} referrer(s)\n`,
      );
    }
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

export function copyAction(positionals: string[], options: CopyCommandOptions): Promise<void> {
  const needsClient = options.fromOciLayout === undefined || options.toOciLayout === undefined;
  return runWithRegistryClient(options, needsClient, (deps) => runCopy(positionals, options, deps));
}
