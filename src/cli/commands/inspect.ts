// `imgverify inspect <ref>`: every Notary signature of an artifact as notation inspect shows it (tree or -o json), read but not verified.
import { goJsonStructIndent } from '../../common/index.js';
import { hexDigest } from '../../common/hash.js';
import {
  ARTIFACT_TYPE_NOTARY_SIGNATURE,
  MAX_SIGNATURES_LIMIT,
  parseEnvelope,
  parseNotaryPayload,
  readSignatureManifest,
  type EnvelopeContent,
} from '../../notary/index.js';
import { distinguishedNameLikeGo, parseCertificate } from '../../pki/index.js';
import type { Descriptor, Manifest, RegistryClient } from '../../oci/index.js';
import { CliError } from '../errors.js';
import { processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { pinnedName, reportError, resolveTarget, runWithRegistryClient, timeoutSignal } from '../options.js';

/** notation inspect's --max-signatures default. */
export const DEFAULT_INSPECT_MAX_SIGNATURES = 100;

export interface InspectCommandOptions extends RegistryCliOptions, LogCliOptions {
  output: 'text' | 'json';
  ociLayout?: boolean;
  maxSignatures?: string;
  timeout?: string;
}

interface CertificateOutput {
  SHA256Fingerprint: string;
  issuedTo: string;
  issuedBy: string;
  expiry: string;
}

/** notation 1.x's signatureOutput, field for field. */
interface SignatureOutput {
  mediaType: string;
  digest: string;
  signatureAlgorithm: string;
  signedAttributes: Record<string, string>;
  userDefinedAttributes: Record<string, string> | null;
  unsignedAttributes: Record<string, string>;
  certificates: CertificateOutput[];
  signedArtifact: Descriptor;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Go's time.ANSIC (`Mon Jan _2 15:04:05 2006`) in UTC for text; RFC 3339 for -o json, as notation formats times. */
function formatTime(date: Date, format: 'text' | 'json'): string {
  if (format === 'json') return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${DAYS[date.getUTCDay()]} ${MONTHS[date.getUTCMonth()]} ${day} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
}

function sortedRecord(entries: [string, string][]): Record<string, string> {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function signatureOutput(digest: string, mediaType: string, content: EnvelopeContent, format: 'text' | 'json'): SignatureOutput {
  const { signedAttributes, unsignedAttributes, certificateChain, signatureAlgorithm } = content.signerInfo;
  const signed: [string, string][] = [
    ['signingScheme', signedAttributes.signingScheme],
    ['signingTime', formatTime(signedAttributes.signingTime, format)],
  ];
  if (signedAttributes.expiry) signed.push(['expiry', formatTime(signedAttributes.expiry, format)]);
  for (const attribute of signedAttributes.extendedAttributes) signed.push([attribute.key, typeof attribute.value === 'string' ? attribute.value : JSON.stringify(attribute.value)]);
  const unsigned: [string, string][] = [];
  if (unsignedAttributes.timestampSignature) unsigned.push(['timestampSignature', Buffer.from(unsignedAttributes.timestampSignature).toString('base64')]);
  if (unsignedAttributes.signingAgent) unsigned.push(['signingAgent', unsignedAttributes.signingAgent]);
  const { annotations, ...signedArtifact } = parseNotaryPayload(content.payload).targetArtifact;
  return {
    mediaType,
    digest,
    signatureAlgorithm,
    signedAttributes: sortedRecord(signed),
    userDefinedAttributes: annotations ? sortedRecord(Object.entries(annotations)) : null,
    unsignedAttributes: sortedRecord(unsigned),
    certificates: certificateChain.map((der) => {
      const certificate = parseCertificate(der);
      return {
        SHA256Fingerprint: hexDigest('sha256', der),
        issuedTo: distinguishedNameLikeGo(certificate, 'subject'),
        issuedBy: distinguishedNameLikeGo(certificate, 'issuer'),
        expiry: formatTime(certificate.notAfter, format),
      };
    }),
    signedArtifact,
  };
}

interface TreeNode {
  value: string;
  children: TreeNode[];
}

const node = (value: string, children: TreeNode[] = []): TreeNode => ({ value, children });
const pairs = (record: Record<string, string> | null): TreeNode[] => {
  const entries = Object.entries(record ?? {});
  return entries.length === 0 ? [node('(empty)')] : entries.map(([key, value]) => node(`${key}: ${value}`));
};

/** notation's internal/tree printer. */
function printTree(root: TreeNode): string {
  const lines: string[] = [];
  const walk = (current: TreeNode, prefix: string, marker: string, next: string): void => {
    lines.push(prefix + marker + current.value);
    current.children.forEach((child, index) => {
      const last = index === current.children.length - 1;
      walk(child, next, last ? '└── ' : '├── ', next + (last ? '    ' : '│   '));
    });
  };
  walk(root, '', '', '');
  return `${lines.join('\n')}\n`;
}

function signatureTree(signature: SignatureOutput): TreeNode {
  return node(signature.digest, [
    node(`media type: ${signature.mediaType}`),
    node(`signature algorithm: ${signature.signatureAlgorithm}`),
    node('signed attributes', pairs(signature.signedAttributes)),
    node('user defined attributes', pairs(signature.userDefinedAttributes)),
    node('unsigned attributes', pairs(signature.unsignedAttributes)),
    node(
      'certificates',
      signature.certificates.map((certificate) =>
        node(`SHA256 fingerprint: ${certificate.SHA256Fingerprint}`, [
          node(`issued to: ${certificate.issuedTo}`),
          node(`issued by: ${certificate.issuedBy}`),
          node(`expiry: ${certificate.expiry}`),
        ]),
      ),
    ),
    node('signed artifact', [
      node(`media type: ${signature.signedArtifact.mediaType}`),
      node(`digest: ${signature.signedArtifact.digest}`),
      node(`size: ${signature.signedArtifact.size}`),
    ]),
  ]);
}

function parseMaxSignatures(value: string | undefined): number {
  const count = value === undefined ? DEFAULT_INSPECT_MAX_SIGNATURES : Number(value);
  if (!Number.isSafeInteger(count) || count <= 0 || count > MAX_SIGNATURES_LIMIT) {
    throw new CliError('USAGE', `max-signatures value ${value} must be a positive number up to ${MAX_SIGNATURES_LIMIT}`);
  }
  return count;
}

export async function runInspect(reference: string, options: InspectCommandOptions, deps: { client?: RegistryClient; output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const maxSignatures = parseMaxSignatures(options.maxSignatures);
    const signal = timeoutSignal(options.timeout);
    const { opened, descriptor } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), client: deps.client, signal });
    if (opened.target !== undefined && !opened.target.includes(':')) {
      output.stderr(
        `Warning: Always inspect the artifact using digest(@sha256:...) rather than a tag(:${opened.target}) because resolved digest may not point to the same signed artifact, as tags are mutable.\n`,
      );
    }
    const referrers = await opened.store.referrers(descriptor, ARTIFACT_TYPE_NOTARY_SIGNATURE, { signal });
    const signatures: SignatureOutput[] = [];
    let skipped = false;
    for (const manifestDescriptor of referrers.slice(0, maxSignatures)) {
      try {
        const fetched = await opened.store.fetchManifest(manifestDescriptor, { signal });
        const info = readSignatureManifest(JSON.parse(new TextDecoder().decode(fetched.bytes)) as Manifest);
        const envelope = parseEnvelope(info.envelope.mediaType, await opened.store.fetchBlob(info.envelope, { signal }));
        signatures.push(signatureOutput(manifestDescriptor.digest, info.envelope.mediaType, envelope.content(), options.output));
      } catch (err) {
        if (signal.aborted) throw err;
        output.stderr(`Warning: Skipping signature ${manifestDescriptor.digest} because of error: ${err instanceof Error ? err.message : String(err)}\n`);
        skipped = true;
      }
    }
    const pinned = pinnedName(opened, descriptor.digest);
    if (options.output === 'json') {
      output.stdout(`${goJsonStructIndent({ mediaType: descriptor.mediaType, Signatures: signatures }, '    ')}\n`);
    } else if (signatures.length === 0) {
      output.stdout(`${pinned} has no associated signature\n`);
    } else {
      output.stdout(`Inspecting all signatures for signed artifact\n${printTree(node(pinned, [node(ARTIFACT_TYPE_NOTARY_SIGNATURE, signatures.map(signatureTree))]))}`);
    }
    if (referrers.length > maxSignatures) output.stdout(`Warning: exceeded configured limit of max signatures ${maxSignatures} to examine\n`);
    if (skipped) throw new CliError('USAGE', 'at least one signature was skipped and not displayed');
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}

export function inspectAction(reference: string, options: InspectCommandOptions): Promise<void> {
  return runWithRegistryClient(options, !options.ociLayout, (deps) => runInspect(reference, options, deps));
}
