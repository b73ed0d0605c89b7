// Trusted roots from TUF repositories: an http(s) mirror through @sigstore/tuf, or a local directory mirror read through tuf-js with no network.
import { copyFileSync, createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot, TUFError } from '@sigstore/tuf';
import { BaseFetcher, Updater } from 'tuf-js';
import { DownloadHTTPError } from 'tuf-js/dist/error.js';
import { readTextFileLimited } from '../common/index.js';
import { MAX_TRUSTED_ROOT_BYTES, PUBLIC_GOOD_TUF_MIRROR, TRUSTED_ROOT_TARGET, TUF_TIMEOUT_MS } from './constants.js';
import { SigstoreError } from './errors.js';

export interface TufSource {
  /** An http(s) URL, or a local directory holding the repository (metadata at its top, targets in `targets/`). */
  mirror: string;
  /** The TUF root.json to start from; default the public-good one @sigstore/tuf ships. */
  rootPath?: string;
  /** Where TUF metadata and targets are cached; default a new private directory under the temp dir for each load. */
  cachePath?: string;
}

/** @sigstore/tuf's offline seeds: per mirror, the TUF root and the targets it ships, base64. */
export function tufSeed(mirror = PUBLIC_GOOD_TUF_MIRROR): { rootJson?: string; targets: Record<string, string> } {
  const require = createRequire(import.meta.url);
  const seeds = require('@sigstore/tuf/seeds.json') as Record<string, { 'root.json'?: string; targets?: Record<string, string> }>;
  const seed = seeds[mirror];
  return { ...(seed?.['root.json'] ? { rootJson: seed['root.json'] } : {}), targets: seed?.targets ?? {} };
}

/** The text of the repository's trusted_root.json target, verified by the TUF client. */
export async function trustedRootFromTuf(source: TufSource): Promise<string> {
  // Never a fixed path under the shared temp dir: another local user could plant a root.json there first.
  const cachePath = source.cachePath ?? (await mkdtemp(join(tmpdir(), 'imgverify-tuf-')));
  try {
    return /^https?:\/\//.test(source.mirror) ? await fromHttpMirror(source, cachePath) : await fromDirectoryMirror(source, cachePath);
  } finally {
    if (source.cachePath === undefined) await rm(cachePath, { recursive: true, force: true });
  }
}

async function fromHttpMirror(source: TufSource, cachePath: string): Promise<string> {
  try {
    const root = await getTrustedRoot({
      mirrorURL: source.mirror,
      ...(source.rootPath === undefined ? {} : { rootPath: source.rootPath }),
      cachePath,
      // Start from the given (or seed) root every time, not from whatever root.json the cache holds.
      forceInit: true,
      timeout: TUF_TIMEOUT_MS,
      retry: false,
    });
    return JSON.stringify(TrustedRoot.toJSON(root));
  } catch (err) {
    // A repository that answers with bad metadata is a configuration problem; one that does not answer is transient.
    const unreachable = err instanceof TUFError && /fetch|ECONN|ENOTFOUND|timeout|network/i.test(`${err.message} ${String(err.cause)}`);
    throw new SigstoreError(unreachable ? 'TRUSTED_ROOT_UNAVAILABLE' : 'TRUSTED_ROOT_INVALID', `trusted root from TUF mirror ${source.mirror}: ${(err as Error).message}`, { cause: err });
  }
}

/** Serves a repository directory to tuf-js: a missing file is its 404 (how a client learns the newest root). */
class DirectoryFetcher extends BaseFetcher {
  constructor(private readonly directory: string) {
    super();
  }

  override fetch(url: string): Promise<NodeJS.ReadableStream> {
    const path = resolve(fileURLToPath(url));
    if (!path.startsWith(this.directory + sep)) return Promise.reject(new DownloadHTTPError(`${url} is outside the mirror`, 403));
    if (!existsSync(path) || !statSync(path).isFile()) return Promise.reject(new DownloadHTTPError(`${path} not found`, 404));
    return Promise.resolve(createReadStream(path));
  }
}

async function fromDirectoryMirror(source: TufSource, cachePath: string): Promise<string> {
  const directory = resolve(source.mirror);
  const fail = (message: string, cause?: unknown) =>
    new SigstoreError('TRUSTED_ROOT_INVALID', `trusted root from TUF mirror directory ${directory}: ${message}`, cause === undefined ? undefined : { cause });
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw fail('is not an http(s) URL or a directory');
  const targetDir = join(cachePath, 'targets');
  mkdirSync(targetDir, { recursive: true });
  const cachedRoot = join(cachePath, 'root.json');
  // The root to start from is trusted as given, each run (a cached newer root is kept by tuf-js only within one refresh).
  if (source.rootPath !== undefined) {
    copyFileSync(source.rootPath, cachedRoot);
  } else {
    const seed = tufSeed().rootJson;
    if (seed === undefined) throw fail('no --tuf-root given and no public-good TUF root is embedded');
    writeFileSync(cachedRoot, Buffer.from(seed, 'base64'));
  }
  const base = pathToFileURL(directory).href;
  try {
    const updater = new Updater({ metadataBaseUrl: base, targetBaseUrl: `${base}/targets`, metadataDir: cachePath, targetDir, fetcher: new DirectoryFetcher(directory) });
    await updater.refresh();
    const info = await updater.getTargetInfo(TRUSTED_ROOT_TARGET);
    if (!info) throw fail(`the repository has no ${TRUSTED_ROOT_TARGET} target`);
    const path = (await updater.findCachedTarget(info)) ?? (await updater.downloadTarget(info));
    return await readTextFileLimited(path, MAX_TRUSTED_ROOT_BYTES);
  } catch (err) {
    if (err instanceof SigstoreError) throw err;
    throw fail((err as Error).message, err);
  }
}
