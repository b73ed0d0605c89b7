// `imgverify attest <ref>`: attach a payload to an image as a referrer of an artifact type and sign it (`oras attach` + `notation sign`).
import { basename } from 'node:path';
import { AttestError, MAX_ATTESTATION_BYTES, parseAttestationDocument } from '../../attest/index.js';
import { readFileLimited } from '../../common/index.js';
import type { SignatureFormat } from '../../notary/index.js';
import { ANNOTATION_CREATED, pushArtifact, type RegistryClient } from '../../oci/index.js';
import { CliError } from '../errors.js';
import { processOutput, type CliOutput, type RegistryCliOptions } from '../flags.js';
import { pinnedName, registryClientFromOptions, reportError, resolveTarget, timeoutSignal } from '../options.js';
import { runSign } from './sign.js';

/** The annotation oras gives a file's layer: its file name. */
const ANNOTATION_TITLE = 'org.opencontainers.image.title';

export interface AttestCommandOptions extends RegistryCliOptions {
  type: string;
  file: string;
  key: string;
  cert: string;
  mediaType?: string;
  signatureFormat: SignatureFormat;
  ociLayout?: boolean;
  timeout?: string;
}

/** The layer media type: `--media-type`, else `application/yaml` for a .yaml/.yml file and `application/json` for anything else. */
export function payloadMediaType(file: string, mediaType: string | undefined): string {
  if (mediaType !== undefined) return mediaType;
  return /\.ya?ml$/i.test(file) ? 'application/yaml' : 'application/json';
}

/** RFC 3339 in UTC, seconds precision, as oras writes the created annotation. */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function readPayload(file: string): Promise<Uint8Array> {
  return readFileLimited(
    file,
    MAX_ATTESTATION_BYTES,
    (problem) => {
      switch (problem.reason) {
        case 'unreadable':
          return new CliError('USAGE', `cannot read the payload ${file}: ${(problem.cause as Error).message}`, { cause: problem.cause });
        case 'not-a-file':
          return new CliError('USAGE', `cannot read the payload ${file}: not a file`);
        case 'too-large':
          return new CliError('USAGE', `the payload ${file} is larger than ${MAX_ATTESTATION_BYTES} bytes, the most an attestation may hold`);
      }
    },
    { allowSpecialFiles: true },
  );
}

export interface AttestDependencies {
  output?: CliOutput;
  /** Registry client to use instead of one built from the flags (tests). */
  client?: RegistryClient;
  /** Clock of the created annotation (tests). */
  now?: Date;
}

export async function runAttest(reference: string, options: AttestCommandOptions, dependencies: AttestDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  let client = dependencies.client;
  const ownClient = !client;
  try {
    if (options.type.trim() === '') throw new CliError('USAGE', '--type must name the artifact type, e.g. application/vnd.cyclonedx');
    const signal = timeoutSignal(options.timeout);
    const bytes = await readPayload(options.file);
    const mediaType = payloadMediaType(options.file, options.mediaType);
    try {
      // What verification cannot read is not pushed: the same parser decides.
      parseAttestationDocument(bytes, mediaType, `the payload ${options.file}`);
    } catch (err) {
      if (err instanceof AttestError) throw new CliError('USAGE', `${err.message}; use --media-type to say how to read it`, { cause: err });
      throw err;
    }
    if (!options.ociLayout && !client) client = registryClientFromOptions(options, { clientOptions: { plainHttpForLocalhost: true } });
    const { opened, descriptor } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), ...(client ? { client } : {}), signal });
    const pushed = await pushArtifact(opened.store, {
      artifactType: options.type,
      subject: descriptor,
      blobs: [{ mediaType, bytes, annotations: { [ANNOTATION_TITLE]: basename(options.file) } }],
      annotations: { [ANNOTATION_CREATED]: rfc3339(dependencies.now ?? new Date()) },
      signal,
    });
    const attestation = pinnedName(opened, pushed.descriptor.digest);
    output.stdout(`Attached ${options.type} to ${pinnedName(opened, descriptor.digest)}\n`);
    output.stdout(`Pushed the attestation to ${attestation}\n`);
    return await runSign(
      attestation,
      {
        key: options.key,
        cert: options.cert,
        signatureFormat: options.signatureFormat,
        signatureManifest: 'artifact',
        userMetadata: [],
        ...(options.ociLayout ? { ociLayout: true } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      },
      { output, ...(client ? { client } : {}) },
    );
  } catch (err) {
    return reportError(output, err);
  } finally {
    if (ownClient && client) await client.close();
  }
}
