// Upstream envelopes (notation-go mock envelopes, internal test data, timestamped envelopes, notation e2e): parsed exactly, integrity as upstream says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_VERIFICATION_PLUGIN,
  ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION,
  parseEnvelope,
  parseNotaryPayload,
  type ParseOptions,
} from '../../../src/notary/envelope/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type EnvelopeContent, type ExtendedAttribute } from '../../../src/notary/types.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

const MOCK = join(NOTARY_FIXTURES, 'notation-go/mock-envelopes');
const PLUGIN_KEYS: ParseOptions = { understoodCriticalAttributes: [ATTRIBUTE_VERIFICATION_PLUGIN, ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION] };
const NET_MONITOR_DIGEST = 'sha256:60043cf45eaebc4c0867fea485a039b598f52fd09fd5b07b0b2d2f88fad9d74e';
const PLUGIN_DIGEST = 'sha256:fe7e9333395060c2f5e63cf36a38fba10176f183b4163a5794e081a480abba5f';

interface Expected {
  algorithm: string;
  signingScheme: string;
  signingTime: string;
  authenticSigningTime?: string;
  expiry?: string;
  extendedAttributes: ExtendedAttribute[];
  chainLength: number;
  signingAgent?: string;
  target: string;
  annotations?: Record<string, string>;
}

function pluginAttributes(minVersion: string): ExtendedAttribute[] {
  return [
    { key: ATTRIBUTE_VERIFICATION_PLUGIN, critical: true, value: 'io.cncf.notary.plugin.unittest.mock' },
    { key: ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION, critical: true, value: minVersion },
  ];
}

const CA = { algorithm: 'RSASSA-PSS-SHA-384', signingScheme: 'notary.x509', chainLength: 2, signingAgent: 'Notation/1.0.0', target: NET_MONITOR_DIGEST };
const SA = { ...CA, signingScheme: 'notary.x509.signingAuthority' };

/** Mock envelopes that verify: what each one says, read exactly. */
const VALID: [file: string, options: ParseOptions, expected: Expected][] = [
  ['ca_valid_sig_env.json', {}, { ...CA, signingTime: '2020-11-09T07:00:00.000Z', expiry: '2120-11-09T07:00:00.000Z', extendedAttributes: [] }],
  ['ca_expired_sig_env.json', {}, { ...CA, signingTime: '2022-07-29T00:00:00.000Z', expiry: '2022-07-29T23:59:00.000Z', extendedAttributes: [] }],
  [
    'sa_valid_sig_env.json',
    {},
    { ...SA, signingTime: '2020-11-09T07:00:00.000Z', authenticSigningTime: '2020-11-09T07:00:00.000Z', expiry: '2120-11-09T07:00:00.000Z', extendedAttributes: [] },
  ],
  [
    'sa_expired_sig_env.json',
    {},
    { ...SA, signingTime: '2022-07-29T00:00:00.000Z', authenticSigningTime: '2022-07-29T00:00:00.000Z', expiry: '2022-07-29T23:59:00.000Z', extendedAttributes: [] },
  ],
  ...(
    [
      ['ca_compatible_pluginver_sig_env_0.0.9.json', '0.0.9', '2023-01-19T08:21:36.000Z'],
      ['ca_compatible_pluginver_sig_env_1.0.0-alpha.beta.json', '1.0.0-alpha.beta', '2023-01-19T21:03:23.000Z'],
      ['ca_compatible_pluginver_sig_env_1.0.0-alpha.json', '1.0.0-alpha', '2023-01-19T20:57:04.000Z'],
      ['ca_compatible_pluginver_sig_env_1.0.0.json', '1.0.0', '2023-01-19T21:05:58.000Z'],
      ['ca_incompatible_pluginver_sig_env_1.0.1.json', '1.0.1', '2023-01-19T20:49:02.000Z'],
      ['ca_incompatible_pluginver_sig_env_1.0.9.json', '1.0.9', '2023-01-19T08:47:18.000Z'],
      ['ca_incompatible_pluginver_sig_env_1.1.0-alpha.json', '1.1.0-alpha', '2023-01-19T20:40:34.000Z'],
      ['ca_incompatible_pluginver_sig_env_1.2.3.json', '1.2.3', '2023-01-19T20:54:01.000Z'],
    ] as const
  ).map(([file, minVersion, signingTime]): [string, ParseOptions, Expected] => [
    file,
    PLUGIN_KEYS,
    {
      algorithm: 'RSASSA-PSS-SHA-256',
      signingScheme: 'notary.x509',
      signingTime,
      extendedAttributes: pluginAttributes(minVersion),
      chainLength: 1,
      signingAgent: 'Notation/1.0.0',
      target: PLUGIN_DIGEST,
    },
  ]),
  [
    'ca_plugin_sig_env.json',
    { understoodCriticalAttributes: ['SomeKey', ATTRIBUTE_VERIFICATION_PLUGIN] },
    {
      ...CA,
      signingTime: '2020-11-09T07:00:00.000Z',
      expiry: '2120-11-09T07:00:00.000Z',
      extendedAttributes: [
        { key: 'SomeKey', critical: true, value: 'SomeValue' },
        { key: ATTRIBUTE_VERIFICATION_PLUGIN, critical: true, value: 'plugin-name' },
      ],
    },
  ],
  [
    'sig_env_with_metadata.json',
    {},
    {
      algorithm: 'RSASSA-PSS-SHA-256',
      signingScheme: 'notary.x509',
      signingTime: '2023-01-11T18:02:54.000Z',
      extendedAttributes: [],
      chainLength: 1,
      signingAgent: 'Notation/1.0.0',
      target: 'sha256:5a07385af4e6b6af81b0ebfd435aedccdfa3507f0609c658209e1aba57159b2b',
      annotations: { 'io.wabbit-networks.buildId': '123', 'io.wabbit-networks.buildTime': '1672944615' },
    },
  ],
];

function summary(content: EnvelopeContent): Expected {
  const { signerInfo } = content;
  const attributes = signerInfo.signedAttributes;
  const payload = parseNotaryPayload(content.payload);
  return {
    algorithm: signerInfo.signatureAlgorithm,
    signingScheme: attributes.signingScheme,
    signingTime: attributes.signingTime.toISOString(),
    ...(attributes.authenticSigningTime ? { authenticSigningTime: attributes.authenticSigningTime.toISOString() } : {}),
    ...(attributes.expiry ? { expiry: attributes.expiry.toISOString() } : {}),
    extendedAttributes: attributes.extendedAttributes,
    chainLength: signerInfo.certificateChain.length,
    ...(signerInfo.unsignedAttributes.signingAgent ? { signingAgent: signerInfo.unsignedAttributes.signingAgent } : {}),
    target: payload.targetArtifact.digest,
    ...(payload.targetArtifact.annotations ? { annotations: payload.targetArtifact.annotations } : {}),
  };
}

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

describe('notation-go mock envelopes', () => {
  it.each(VALID)('%s verifies and reads exactly', async (file, options, expected) => {
    const envelope = parseEnvelope(MEDIA_TYPE_JWS, read(join(MOCK, file)), options);
    expect(summary(envelope.content())).toEqual(expected);
    expect(summary(await envelope.verify())).toEqual(expected);
  });

  it.each([
    ['ca_invalid_sig_env.json', {}, 'INVALID_SIGNATURE'],
    ['sa_invalid_sig_env.json', {}, 'INVALID_SIGNATURE'],
    // Critical attributes nobody claims: the plugin envelopes without a plugin, and SomeKey with one.
    ['ca_plugin_sig_env.json', {}, 'UNKNOWN_CRITICAL_ATTRIBUTE'],
    ['ca_plugin_sig_env.json', PLUGIN_KEYS, 'UNKNOWN_CRITICAL_ATTRIBUTE'],
    ['sa_plugin_sig_env.json', PLUGIN_KEYS, 'UNKNOWN_CRITICAL_ATTRIBUTE'],
    ['ca_compatible_pluginver_sig_env_1.0.0.json', {}, 'UNKNOWN_CRITICAL_ATTRIBUTE'],
    ['ca_incompatible_pluginver_sig_env_1.2.3.json', { understoodCriticalAttributes: [ATTRIBUTE_VERIFICATION_PLUGIN] }, 'UNKNOWN_CRITICAL_ATTRIBUTE'],
  ] as [string, ParseOptions, string][])('%s fails verify() with %s (options %j)', async (file, options, code) => {
    const envelope = parseEnvelope(MEDIA_TYPE_JWS, read(join(MOCK, file)), options);
    await expect(envelope.verify()).rejects.toMatchObject({ code });
  });

  it('names the unclaimed critical attribute', async () => {
    const envelope = parseEnvelope(MEDIA_TYPE_JWS, read(join(MOCK, 'sa_plugin_sig_env.json')), PLUGIN_KEYS);
    await expect(envelope.verify()).rejects.toThrow(/: SomeKey;/);
  });
});

describe('signatures notation wrote', () => {
  const INTERNAL = join(NOTARY_FIXTURES, 'notation-go/internal-testdata');
  const TIMESTAMPED = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata/timestamp/sigEnv');
  const E2E = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');

  it.each([
    [MEDIA_TYPE_JWS, join(INTERNAL, 'jws_signature.sig'), '2023-03-14T08:10:02.000Z', false],
    [MEDIA_TYPE_COSE, join(INTERNAL, 'cose_signature.sig'), '2023-03-14T04:45:22.000Z', false],
    [MEDIA_TYPE_JWS, join(TIMESTAMPED, 'withoutTimestamp.sig'), '2024-06-18T09:08:35.000Z', false],
    [MEDIA_TYPE_JWS, join(TIMESTAMPED, 'jwsWithTimestamp.sig'), '2024-06-18T06:29:33.000Z', true],
    [MEDIA_TYPE_JWS, join(TIMESTAMPED, 'jwsExpiredWithTimestamp.sig'), '2024-06-18T07:21:38.000Z', true],
    [MEDIA_TYPE_JWS, join(TIMESTAMPED, 'timestampBeforeNotBefore.sig'), '2024-06-19T09:30:11.000Z', true],
    [MEDIA_TYPE_COSE, join(TIMESTAMPED, 'coseWithTimestamp.sig'), '2024-06-18T06:27:11.000Z', true],
    [MEDIA_TYPE_COSE, join(TIMESTAMPED, 'coseExpiredWithTimestamp.sig'), '2024-06-18T07:21:07.000Z', true],
    [MEDIA_TYPE_COSE, join(TIMESTAMPED, 'timestampAfterNotAfter.sig'), '2024-06-19T09:35:54.000Z', true],
  ])('%s %s verifies (signing time %s, timestamped %s)', async (mediaType, path, signingTime, timestamped) => {
    const content = await parseEnvelope(mediaType, read(path)).verify();
    const { signerInfo } = content;
    expect(signerInfo.signatureAlgorithm).toBe('RSASSA-PSS-SHA-256');
    expect(signerInfo.signedAttributes.signingTime.toISOString()).toBe(signingTime);
    expect(signerInfo.unsignedAttributes.timestampSignature !== undefined).toBe(timestamped);
    if (timestamped) {
      // A DER CMS ContentInfo (SEQUENCE) holding the RFC 3161 token.
      expect(signerInfo.unsignedAttributes.timestampSignature?.[0]).toBe(0x30);
    }
    expect(parseNotaryPayload(content.payload).targetArtifact.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('the e2e valid-signature layout holds a JWS over the v1 image', async () => {
    const blob = read(join(E2E, 'e2e-valid-signature/blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50'));
    const content = await parseEnvelope(MEDIA_TYPE_JWS, blob).verify();
    expect(parseNotaryPayload(content.payload).targetArtifact).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9',
      size: 517,
    });
    expect(content.signerInfo.signedAttributes.signingTime.toISOString()).toBe('2023-06-27T05:30:33.000Z');
  });

  it('the e2e invalid-signature layout holds bytes that are no JWS envelope', () => {
    const blob = read(join(E2E, 'e2e-invalid-signature/blobs/sha256/9a8decdf3775708f4eed16859f19561d730cad40b1af0dcfc37ac1e5f879a934'));
    expect(() => parseEnvelope(MEDIA_TYPE_JWS, blob)).toThrowError(expect.objectContaining({ code: 'MALFORMED_SIGNATURE' }));
  });
});
