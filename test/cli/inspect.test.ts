// `imgverify inspect`: a signature made by the notation CLI shown as notation inspect shows it (seed 004's tree, -o json), every value checked against the bytes independently.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { runCli } from '../support/cli.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const LAYOUT = join(E2E, 'oci_layout/e2e-valid-signature');
const IMAGE = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SIGNATURE = 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f';

/** What the fixture holds, read with node's own X.509 and JSON, not our parsers. */
async function facts() {
  const certificate = new X509Certificate(await readFile(join(E2E, 'localkeys/e2e.crt')));
  const manifest = JSON.parse(await readFile(join(LAYOUT, 'blobs/sha256', SIGNATURE.slice(7)), 'utf8')) as { layers: { digest: string }[] };
  const envelope = JSON.parse(await readFile(join(LAYOUT, 'blobs/sha256', (manifest.layers[0] as { digest: string }).digest.slice(7)), 'utf8')) as {
    protected: string;
    header: { 'io.cncf.notary.signingAgent': string };
  };
  const header = JSON.parse(Buffer.from(envelope.protected, 'base64url').toString('utf8')) as Record<string, string>;
  return {
    fingerprint: certificate.fingerprint256.replaceAll(':', '').toLowerCase(),
    notAfter: new Date(certificate.validTo),
    signingTime: new Date(header['io.cncf.notary.signingTime'] as string),
    agent: envelope.header['io.cncf.notary.signingAgent'],
  };
}

const ansic = (date: Date) => {
  const [day, , month, year, time] = date.toUTCString().replace(',', '').split(' ') as string[];
  return `${day} ${month} ${String(date.getUTCDate()).padStart(2, ' ')} ${time} ${year}`;
};

test('the tree of seed 004: media type, algorithm, signed/user/unsigned attributes, certificates, signed artifact', async () => {
  const expected = await facts();
  const run = await runCli('inspect', '--oci-layout', `${LAYOUT}@${IMAGE}`);
  const name = 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US';
  expect(run).toEqual({
    code: 0,
    stderr: '',
    stdout: [
      'Inspecting all signatures for signed artifact',
      `${LAYOUT}@${IMAGE}`,
      '└── application/vnd.cncf.notary.signature',
      `    └── ${SIGNATURE}`,
      '        ├── media type: application/jose+json',
      '        ├── signature algorithm: RSASSA-PSS-SHA-256',
      '        ├── signed attributes',
      '        │   ├── signingScheme: notary.x509',
      `        │   └── signingTime: ${ansic(expected.signingTime)}`,
      '        ├── user defined attributes',
      '        │   └── (empty)',
      '        ├── unsigned attributes',
      `        │   └── signingAgent: ${expected.agent}`,
      '        ├── certificates',
      `        │   └── SHA256 fingerprint: ${expected.fingerprint}`,
      `        │       ├── issued to: ${name}`,
      `        │       ├── issued by: ${name}`,
      `        │       └── expiry: ${ansic(expected.notAfter)}`,
      '        └── signed artifact',
      '            ├── media type: application/vnd.oci.image.manifest.v1+json',
      `            ├── digest: ${IMAGE}`,
      '            └── size: 517',
      '',
    ].join('\n'),
  });
});

test('-o json as notation 1.x writes it; a tag warns; an unsigned image has no signature', async () => {
  const expected = await facts();
  const run = await runCli('inspect', '--oci-layout', `${LAYOUT}:v1`, '-o', 'json');
  expect(run.stderr).toMatch(/^Warning: Always inspect the artifact using digest\(@sha256:\.\.\.\) rather than a tag\(:v1\)/);
  expect(JSON.parse(run.stdout)).toEqual({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    Signatures: [
      {
        mediaType: 'application/jose+json',
        digest: SIGNATURE,
        signatureAlgorithm: 'RSASSA-PSS-SHA-256',
        signedAttributes: { signingScheme: 'notary.x509', signingTime: expected.signingTime.toISOString().replace('.000Z', 'Z') },
        userDefinedAttributes: null,
        unsignedAttributes: { signingAgent: expected.agent },
        certificates: [
          { SHA256Fingerprint: expected.fingerprint, issuedTo: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US', issuedBy: 'CN=e2e,O=Notary,L=Seattle,ST=WA,C=US', expiry: expected.notAfter.toISOString().replace('.000Z', 'Z') },
        ],
        signedArtifact: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMAGE, size: 517 },
      },
    ],
  });
  const unsigned = await runCli('inspect', '--oci-layout', `${join(E2E, 'oci_layout/e2e')}@${IMAGE}`);
  expect(unsigned.stdout).toBe(`${join(E2E, 'oci_layout/e2e')}@${IMAGE} has no associated signature\n`);
});
