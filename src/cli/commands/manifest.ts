// `imgverify manifest fetch <ref>`: a manifest as stored, with its digest, size and media type (oras's `manifest fetch`; `inspect` shows signatures as notation).
import type { RegistryClient } from '../../oci/index.js';
import { processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { pinnedName, reportError, resolveTarget, runWithRegistryClient, timeoutSignal } from '../options.js';

export interface ManifestFetchOptions extends RegistryCliOptions, LogCliOptions {
  output: 'text' | 'json';
  ociLayout?: boolean;
  timeout?: string;
}

export async function runManifestFetch(reference: string, options: ManifestFetchOptions, deps: { client?: RegistryClient; output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const signal = timeoutSignal(options.timeout);
    const { opened, descriptor } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), client: deps.client, signal });
    const fetched = await opened.store.fetchManifest(descriptor, { signal });
    // The bytes as stored (digest-verified), not our parsed model: unknown fields are shown too.
    const manifest: unknown = JSON.parse(new TextDecoder().decode(fetched.bytes));
    const pinned = pinnedName(opened, fetched.descriptor.digest);
    if (options.output === 'json') {
      output.stdout(`${JSON.stringify({ reference: pinned, descriptor: fetched.descriptor, manifest }, null, 2)}\n`);
    } else {
      const lines = [
        `Reference:    ${pinned}`,
        `Digest:       ${fetched.descriptor.digest}`,
        `MediaType:    ${fetched.descriptor.mediaType}`,
        `Size:         ${fetched.descriptor.size}`,
        ...(fetched.descriptor.artifactType ? [`ArtifactType: ${fetched.descriptor.artifactType}`] : []),
        '',
        JSON.stringify(manifest, null, 2),
      ];
      output.stdout(lines.join('\n') + '\n');
    }
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

export function manifestFetchAction(reference: string, options: ManifestFetchOptions): Promise<void> {
  return runWithRegistryClient(options, !options.ociLayout, (deps) => runManifestFetch(reference, options, deps));
}
