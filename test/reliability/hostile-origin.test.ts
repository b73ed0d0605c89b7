// Hostile registries a proxy cannot imitate (issue 14): an in-process registry double (test/support/referrers-registry-double)
// answers with oversized manifests, endless and cyclic referrers pages, deeply nested JSON, a 10 MB envelope,
// signatures carrying a 50-certificate chain or a big-exponent RSA key, redirects to a foreign origin (which may
// answer 401 with its own realm) and, for a service that holds the registry to the public-address rule, redirects
// to loopback and to the cloud metadata address, a token realm and a referrers Link on loopback. Each is refused on time with a stable answer, the probe image is
// served meanwhile, no credential reaches a foreign origin, no request reaches a private target, nothing stays in flight.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildSignatureManifest, createNotaryPayload, MEDIA_TYPE_JWS, signArtifact } from '../../src/notary/index.js';
import { MEDIA_TYPE_OCI_MANIFEST, pushImage, RegistryClient, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { loadPullSecrets, NotaryBackend, startService, type RunningService } from '../../src/service/index.js';
import { craftJws, jwsHeaders, x5c } from '../notary/envelope/craft.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, post, type HttpAnswer, type TrustConfigDir } from '../service/harness.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';
import { oddNumberOfBits, withRsaKey } from '../support/hostile-keys.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { waitFor } from '../support/ports.js';
import { startReferrersRegistryDouble, type Interceptor, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';
import { bracketed, notHeldUp } from '../support/timing.js';

const REQUEST_TIMEOUT_MS = 3000;
const USER = 'puller';
const PASSWORD = 'pull-secret-password-do-not-leak';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';
const SIGNATURE_ARTIFACT = 'application/vnd.cncf.notary.signature';

let registry: ReferrersRegistryDouble;
/** Another origin the registry sends us to: records every request's headers. */
let foreign: HttpDoubleServer;
const foreignRequests: IncomingHttpHeaders[] = [];
let foreignAnswer: (res: ServerResponse) => void = (res) => res.writeHead(404).end();
let config: TrustConfigDir;
let secrets: string;
let service: RunningService;
/** The same service, except that its registry client holds the registry double to the public-address rule. */
let publicService: RunningService;
/** A listener on a private address the registry sends us to: it must never be asked. */
let privateTarget: HttpDoubleServer;
const privateRequests: string[] = [];
const digests: Record<string, string> = {};
/** The signature envelope blob (digest and bytes) of each signed repository. */
const envelopes: Record<string, { digest: string; bytes: Buffer }> = {};
/** The signature manifest digest of each signed repository. */
const signatures: Record<string, string> = {};
const tally: Record<string, number> = {};
const probeLatencies: number[] = [];
/** Each case's baseline: the probe's median latency just before and just after the fault, the larger (test/support/timing.ts). */
const baselines: number[] = [];
/** The least room any timing bound had left (bound − measured), ms. */
let headroomMinMs = Infinity;

/** Every request to the registry needs the pull secret's Basic credentials, as a private registry would. */
function withAuth(next?: Interceptor): Interceptor {
  return (req, res, url) => {
    if (url.pathname.startsWith('/v2') && req.headers.authorization !== BASIC) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile registry double"', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return true;
    }
    return next?.(req, res, url) ?? false;
  };
}

beforeAll(async () => {
  registry = await startReferrersRegistryDouble();
  foreign = await listenHttpDouble((req, res) => {
    foreignRequests.push(req.headers);
    req.resume();
    foreignAnswer(res);
  });
  const chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true, commonName: 'imgverify hostile origin signer', leaf: { keys: await cachedKeyPair('ec-256', 'service-leaf') } });
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  for (const repository of ['probe', 'huge', 'endless', 'cycle', 'nested', 'envelope', 'redirected', 'challenged', 'loopback', 'metadata', 'realm', 'linked']) {
    const store = client.repository(registry.host, `rel/${repository}`);
    const image = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode(`rel/${repository} of the hostile origin suite`)] });
    digests[repository] = image.descriptor.digest;
    await signArtifact(store, image.descriptor.digest, { key: chain.leaf.privateKey, certificateChain: chain.chain, signatureFormat: 'jws', signatureManifest: 'artifact' });
    const [signature] = await store.referrers(image.descriptor);
    signatures[repository] = signature!.digest;
    const { manifest } = await store.fetchManifest(signature!);
    const layer = 'layers' in manifest ? manifest.layers[0] : undefined;
    envelopes[repository] = { digest: layer!.digest, bytes: Buffer.from(await store.fetchBlob(layer!)) };
  }
  // Signatures no honest signer makes, pushed as notation would push them: a chain of 50 certificates (root, 48
  // intermediates, leaf: each issued by the next), and an RSA chain whose intermediate's key has a 3070-bit exponent.
  const longChain = await generateCertificateChain({ keyType: 'ec-256', intermediates: Array.from({ length: 48 }, () => ({})), commonName: 'imgverify long chain signer' });
  const rsaChain = await generateCertificateChain({
    keyType: 'rsa-3072',
    root: { keys: await cachedKeyPair('rsa-3072', 'bounds-root') },
    intermediate: { keys: await cachedKeyPair('rsa-3072', 'bounds-intermediate') },
    leaf: { keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'bounds-leaf') },
  });
  const bigExponentChain = rsaChain.chain.map((der, index) => (index === 1 ? withRsaKey(der, { exponent: oddNumberOfBits(3070) }) : der));
  for (const [repository, signer, certificates] of [
    ['longchain', longChain, longChain.chain],
    ['bigexp', rsaChain, bigExponentChain],
  ] as const) {
    const store = client.repository(registry.host, `rel/${repository}`);
    const image = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode(`rel/${repository} of the hostile origin suite`)] });
    digests[repository] = image.descriptor.digest;
    envelopes[repository] = await pushCraftedSignature(store, image.descriptor, signer, [...certificates]);
  }
  await client.close();
  // Both crafted chains end in a trusted root: what refuses them is their shape, not an unknown issuer.
  config = await createTrustConfigDir('tp-origin', chain.root.pem + longChain.root.pem + rsaChain.root.pem);
  secrets = await mkdtemp(join(tmpdir(), 'imgverify-hostile-origin-'));
  await writeFile(join(secrets, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));
  registry.intercept(withAuth());
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-origin' },
    tls: { enabled: false },
    // The side ports are on: they are scraped after every case for the pull secret.
    listen: { api: '127.0.0.1:0', metrics: '127.0.0.1:0', health: '127.0.0.1:0' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    cache: { enabled: false },
    registry: { imagePullSecrets: [join(secrets, 'config.json')] },
    logLevel: 'silent',
    processMetrics: false,
  });
  privateTarget = await listenHttpDouble((req, res) => {
    privateRequests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200).end('private');
  });
  publicService = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-origin' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '127.0.0.1:0', health: '127.0.0.1:0' },
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
    cache: { enabled: false },
    // The registry double listens on loopback (all a test can); named public, it is held to the rule a registry on a
    // public address is held to. The credentials are the pull secret's, as the default backend reads them.
    backend: new NotaryBackend({ credentials: await loadPullSecrets([join(secrets, 'config.json')]), publicRegistries: [registry.host], maxSignatureAttempts: 30 }),
    logLevel: 'silent',
    processMetrics: false,
  });
  // Warm both services up (connection, auth scheme, first verification): the probe measures latency under a fault, not a cold start.
  for (const via of [service, publicService]) expect((await checkimages('probe', via)).status).toBe(200);
}, 90_000);

afterAll(async () => {
  await service?.close();
  await publicService?.close();
  await registry?.stop();
  await foreign?.stop();
  await privateTarget?.stop();
  await config?.remove();
  if (secrets) await rm(secrets, { recursive: true, force: true });
  console.log(JSON.stringify({ suite: 'hostile-origin', injected: tally, probes: probeLatencies.length, probeMaxMs: Math.round(Math.max(0, ...probeLatencies)), baselineMaxMs: Math.round(Math.max(0, ...baselines)), headroomMinMs: Math.round(headroomMinMs) }));
});

const checkimages = (repository: string, via = service) => post(`${via.url}/checkimages`, { images: { containers: { app: kyvernoContainer(registry.host, `rel/${repository}`, 'v1') } } });

/**
 * Sign `target` with `signer`'s leaf key but carry `certificates` in the envelope, which notation's signer refuses
 * to do: the JWS is crafted, then pushed with the signature manifest notation would push.
 */
async function pushCraftedSignature(store: ArtifactStore, target: Descriptor, signer: GeneratedChain, certificates: Uint8Array[]): Promise<{ digest: string; bytes: Buffer }> {
  const { bytes } = craftJws({
    protectedHeader: jwsHeaders('ES256', { 'io.cncf.notary.signingTime': new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z') }),
    header: { x5c: x5c(certificates), 'io.cncf.notary.signingAgent': 'imgverify hostile origin suite' },
    payload: createNotaryPayload({ mediaType: target.mediaType, digest: target.digest, size: target.size }),
    key: signer.leaf.privateKey as KeyObject,
    signing: 'ECDSA-SHA-256',
  });
  const envelope = await store.pushBlob(bytes, MEDIA_TYPE_JWS);
  const manifest = buildSignatureManifest({ form: 'artifact', subject: target, envelope: { mediaType: MEDIA_TYPE_JWS, digest: envelope.digest, size: envelope.size }, certificateChain: certificates });
  await store.pushBlob(manifest.config.bytes, manifest.config.descriptor.mediaType);
  await store.pushManifest(manifest.bytes, MEDIA_TYPE_OCI_MANIFEST);
  return { digest: envelope.digest, bytes: Buffer.from(bytes) };
}

function verified(repository: string): string {
  return goIndented({
    verified: true,
    message: 'verified 1 image with trust policy tp-origin',
    results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${registry.host}/rel/${repository}@${digests[repository]}` }],
    digests: { [`${registry.host}/rel/${repository}:v1`]: digests[repository] },
  });
}

function refusal(repository: string): string {
  return `failed to verify container app: failed to verify image {{${registry.host} ${repository} rel/${repository} v1 } /spec/containers/0/image}: `;
}

async function probe(via: RunningService): Promise<number> {
  const started = performance.now();
  const answer = await checkimages('probe', via);
  const latency = performance.now() - started;
  expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: verified('probe') });
  probeLatencies.push(latency);
  return latency;
}

/** The hostile request with the probe alongside; the answer, its time, the probe's latency. */
async function underFault(repository: string, via: RunningService, probeAfter = false): Promise<{ answer: HttpAnswer; elapsed: number; probeLatency: number }> {
  const started = performance.now();
  const answered = checkimages(repository, via).then((answer) => ({ answer, elapsed: performance.now() - started }));
  if (probeAfter) {
    const { answer, elapsed } = await answered;
    return { answer, elapsed, probeLatency: await probe(via) };
  }
  const [{ answer, elapsed }, probeLatency] = await Promise.all([answered, probe(via)]);
  return { answer, elapsed, probeLatency };
}

function json(res: ServerResponse, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': INDEX, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

const referrersPath = (repository: string) => `/v2/rel/${repository}/referrers/${digests[repository]}`;

/** A referrers page of `count` signature descriptors nobody pushed. */
function fakeReferrers(count: number, from: number): string {
  const manifests = Array.from({ length: count }, (_, i) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${(from + i).toString(16).padStart(64, '0')}`,
    size: 700,
    artifactType: SIGNATURE_ARTIFACT,
  }));
  return JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests });
}

interface OriginCase {
  name: string;
  repository: string;
  kind: string;
  interceptor: Interceptor;
  status: 200 | 406;
  /** The reason after the refusal prefix, or the whole 200 body. */
  text: () => string;
  /** Served pages, bytes or requests the double counts, checked after the answer. */
  check?: () => void;
  /** Asked of the service that holds the registry to the public-address rule. */
  public?: boolean;
  /**
   * The probe goes after the answer rather than alongside: the fault is a challenge, which speaks for the whole
   * registry (the probe's images too, as the registry's owner may decide); the registry's other images must verify
   * again once it challenges as before.
   */
  probeAfter?: boolean;
}

let served = 0;

/** Passes every request on to the registry double, counting those for the envelope of `repository`. */
const countingEnvelope =
  (repository: string): Interceptor =>
  (_req, _res, url) => {
    if (url.pathname === `/v2/rel/${repository}/blobs/${envelopes[repository]?.digest}`) served += 1;
    return false;
  };

/** The refusal of a redirect to a private address (notation's wording: the envelope could not be fetched). */
function privateRefusal(repository: string, host: string): string {
  return (
    `integrity validation failed. Failure reason: blob ${registry.host}/rel/${repository}@${envelopes[repository]?.digest}: refused to follow the registry to ${host}, ` +
    'a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses (REGISTRY_ERROR)\n'
  );
}

/** Redirects the envelope of `repository` to `location` (a private address). */
const redirectingEnvelope =
  (repository: string, location: () => string): Interceptor =>
  (_req, res, url) => {
    if (url.pathname !== `/v2/rel/${repository}/blobs/${envelopes[repository]?.digest}`) return false;
    served += 1;
    res.writeHead(307, { location: location() }).end();
    return true;
  };

const CASES: OriginCase[] = [
  {
    name: 'a signature manifest of 5 MiB (over the 256 KiB artifact manifest limit), Content-Length honest',
    repository: 'huge',
    kind: 'oversized manifest',
    interceptor: (req, res, url) => {
      if (req.method !== 'GET' || url.pathname !== `/v2/rel/huge/manifests/${signatures.huge}`) return false;
      served += 1;
      json(res, Buffer.alloc(5 * 1024 * 1024, 0x20), { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': signatures.huge ?? '' });
      return true;
    },
    status: 406,
    text: () => `integrity validation failed. Failure reason: manifest ${registry.host}/rel/huge@${signatures.huge} is 5242880 bytes, over the limit of 262144 bytes; refusing to read an oversized manifest (raise limits.maxArtifactManifestBytes if this is expected) (SIZE_LIMIT_EXCEEDED)\n`,
  },
  {
    name: '10,500 referrers over 21 pages of 500',
    repository: 'endless',
    kind: '10k referrers',
    interceptor: (req, res, url) => {
      if (!url.pathname.startsWith(referrersPath('endless'))) return false;
      const page = Number(url.searchParams.get('page') ?? '0');
      served += 1;
      json(res, fakeReferrers(500, page * 500), page < 20 ? { link: `<${referrersPath('endless')}?page=${page + 1}>; rel="next"` } : {});
      return true;
    },
    status: 406,
    text: () => `referrers of ${registry.host}/rel/endless@${digests.endless}: more than 1000 referrers; raise the referrers limit if this is expected\n`,
    check: () => expect(served).toBeLessThanOrEqual(20),
  },
  {
    name: 'a referrers page whose next link is itself (a cycle)',
    repository: 'cycle',
    kind: 'referrers cycle',
    interceptor: (req, res, url) => {
      if (!url.pathname.startsWith(referrersPath('cycle'))) return false;
      served += 1;
      json(res, fakeReferrers(10, 0), { link: `<${referrersPath('cycle')}?n=1>; rel="next"` });
      return true;
    },
    status: 406,
    text: () => `referrers of ${registry.host}/rel/cycle@${digests.cycle}: more than 20 pages of referrers; raise the page limit if this is expected\n`,
    check: () => expect(served).toBeLessThanOrEqual(20),
  },
  {
    name: 'a referrers page nested 100,000 arrays deep',
    repository: 'nested',
    kind: 'deep JSON',
    interceptor: (req, res, url) => {
      if (!url.pathname.startsWith(referrersPath('nested'))) return false;
      served += 1;
      json(res, `{"schemaVersion":2,"manifests":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      return true;
    },
    status: 406,
    text: () => `referrers of ${registry.host}/rel/nested@${digests.nested} nests JSON deeper than 64 levels; refusing a pathological document\n`,
  },
  {
    name: 'a 10 MB signature envelope (its descriptor says 3 KiB): reading stops past the descriptor size',
    repository: 'envelope',
    kind: '10 MB envelope',
    interceptor: (req, res, url) => {
      if (url.pathname !== `/v2/rel/envelope/blobs/${envelopes.envelope?.digest}`) return false;
      served += 1;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(10 * 1024 * 1024) });
      res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(10 * 1024 * 1024, 0x7b));
      return true;
    },
    status: 406,
    text: () =>
      `integrity validation failed. Failure reason: blob ${registry.host}/rel/envelope@${envelopes.envelope?.digest}: the registry sent at least 10485760 bytes, more than the ${envelopes.envelope?.bytes.length} the descriptor says; the content was altered — do not use it (DIGEST_MISMATCH)\n`,
  },
  {
    name: 'the envelope redirected to another origin: fetched there without the pull secret, verified by digest',
    repository: 'redirected',
    kind: 'redirect to a foreign origin',
    interceptor: (req, res, url) => {
      if (url.pathname !== `/v2/rel/redirected/blobs/${envelopes.redirected?.digest}`) return false;
      served += 1;
      foreignAnswer = (out) => out.writeHead(200, { 'content-length': envelopes.redirected?.bytes.length }).end(envelopes.redirected?.bytes);
      res.writeHead(307, { location: `${foreign.url}/storage/envelope` }).end();
      return true;
    },
    status: 200,
    text: () => verified('redirected'),
  },
  {
    name: 'the envelope redirected to another origin that answers 401 with a realm of its own: no credentials, no token request',
    repository: 'challenged',
    kind: '401 after a redirect',
    interceptor: (req, res, url) => {
      if (url.pathname !== `/v2/rel/challenged/blobs/${envelopes.challenged?.digest}`) return false;
      served += 1;
      foreignAnswer = (out) => out.writeHead(401, { 'www-authenticate': `Bearer realm="${foreign.url}/token",service="foreign"` }).end();
      res.writeHead(307, { location: `${foreign.url}/storage/envelope` }).end();
      return true;
    },
    status: 406,
    text: () =>
      `integrity validation failed. Failure reason: blob ${registry.host}/rel/challenged@${envelopes.challenged?.digest}: ${foreign.url}, where ${registry.host} redirected us, asks for credentials; the credentials of ${registry.host} are not sent to another origin (UNAUTHORIZED)\n`,
  },
  {
    name: 'a signature whose envelope carries a 50-certificate chain (each certificate issued by the next, ending in a trusted root)',
    repository: 'longchain',
    kind: '50-certificate chain',
    interceptor: countingEnvelope('longchain'),
    status: 406,
    text: () => 'integrity validation failed. Failure reason: malformed JWS envelope: the certificate chain has 50 certificates, more than the limit of 16 (MALFORMED_SIGNATURE)\n',
  },
  {
    name: 'a signature whose chain has an intermediate with a 3070-bit RSA exponent (ending in a trusted root)',
    repository: 'bigexp',
    kind: 'big-exponent RSA key',
    interceptor: countingEnvelope('bigexp'),
    status: 406,
    text: () =>
      'authenticity validation failed. Failure reason: invalid certificate chain: certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Intermediate CA 1" is refused: ' +
      'its RSA public exponent is 3070 bits long, more than the 2^32 allowed (as Go\'s x509) (INVALID_CERTIFICATE_CHAIN)\n',
  },
  {
    name: 'a registry held to the public-address rule redirects the envelope to a loopback listener: refused, never asked',
    repository: 'loopback',
    kind: 'redirect to a private address',
    interceptor: redirectingEnvelope('loopback', () => `${privateTarget.url}/latest/envelope`),
    status: 406,
    text: () => privateRefusal('loopback', '127.0.0.1'),
    public: true,
  },
  {
    name: 'a registry held to the public-address rule redirects the envelope to the cloud metadata address 169.254.169.254: refused before connecting',
    repository: 'metadata',
    kind: 'redirect to a private address',
    interceptor: redirectingEnvelope('metadata', () => 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'),
    status: 406,
    text: () => privateRefusal('metadata', '169.254.169.254'),
    public: true,
  },
  {
    name: 'a registry held to the public-address rule names a token realm on a loopback listener: refused, never asked',
    repository: 'realm',
    kind: 'private token realm',
    interceptor: (req, res, url) => {
      if (!url.pathname.startsWith('/v2/rel/realm/')) return false;
      served += 1;
      req.resume();
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${privateTarget.url}/token",service="registry"`, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return true;
    },
    status: 406,
    text: () =>
      `failed to resolve digest: token request to ${privateTarget.url} for ${registry.host}: refused to follow the registry to 127.0.0.1, a loopback, link-local or private address; ` +
      'a registry held to the public-address rule (one on a public address) may only send us to public addresses\n',
    public: true,
    probeAfter: true,
  },
  {
    name: 'a registry held to the public-address rule links its next referrers page to a loopback listener: refused, never asked',
    repository: 'linked',
    kind: 'private Link header',
    interceptor: (req, res, url) => {
      if (!url.pathname.startsWith(referrersPath('linked'))) return false;
      served += 1;
      json(res, fakeReferrers(1, 0), { link: `<${privateTarget.url}${referrersPath('linked')}?page=1>; rel="next"` });
      return true;
    },
    status: 406,
    text: () =>
      `referrers of ${registry.host}/rel/linked@${digests.linked}: refused to follow the registry to 127.0.0.1, a loopback, link-local or private address; ` +
      'a registry held to the public-address rule (one on a public address) may only send us to public addresses\n',
    public: true,
  },
];

describe('a hostile registry gets a stable refusal on time; the probe is served meanwhile; no credential leaves; nothing is left running', () => {
  test.each(CASES)('$name', async ({ repository, kind, interceptor, status, text, check, public: held, probeAfter }) => {
    const via = held ? publicService : service;
    served = 0;
    foreignRequests.length = 0;
    privateRequests.length = 0;
    const {
      outcome: { answer, elapsed, probeLatency },
      baselineMs,
    } = await bracketed(
      () => probe(via),
      () => {
        registry.intercept(withAuth(interceptor));
        return underFault(repository, via, probeAfter);
      },
    );
    baselines.push(baselineMs);
    tally[kind] = (tally[kind] ?? 0) + served;
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: status === 200 ? text() : `${refusal(repository)}${text()}` });
    expect(served).toBeGreaterThan(0);
    check?.();
    // Refused as fast as the probe is verified when nothing holds it up, and the probe not held up by the fault.
    headroomMinMs = Math.min(headroomMinMs, notHeldUp(baselineMs) - elapsed, notHeldUp(baselineMs) - probeLatency);
    expect(elapsed).toBeLessThan(notHeldUp(baselineMs));
    expect(probeLatency).toBeLessThan(notHeldUp(baselineMs));
    // The pull secret is in no answer, no metric and nothing the metrics and health ports serve.
    const metricsText = await via.metrics.registry.metrics();
    const scraped = await Promise.all(
      [via.metricsUrl, `${via.healthUrl}/healthz`, `${via.healthUrl}/readyz`].map(async (url) => (await fetch(String(url))).text()),
    );
    expect(scraped[0]).toContain('# TYPE');
    for (const secret of [PASSWORD, BASIC.slice('Basic '.length)]) {
      expect(answer.text).not.toContain(secret);
      expect(metricsText).not.toContain(secret);
      for (const text of scraped) expect(text).not.toContain(secret);
    }
    // The pull secret went to the registry and nowhere else; the foreign realm was never asked for a token.
    for (const headers of foreignRequests) expect(headers.authorization).toBeUndefined();
    expect(foreignRequests.length).toBe(kind === 'redirect to a foreign origin' || kind === '401 after a redirect' ? 1 : 0);
    // No request reached the private listener.
    expect(privateRequests).toEqual([]);
    await waitFor(async () => via.cache.inFlight === 0, notHeldUp(baselineMs), 'the verification to let go');
    registry.intercept(withAuth());
  }, 15_000);
});
