// imgverify serve end to end: real docker-registry, real Notary signatures, the real verifier, over HTTP.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from '../service/harness.js';
import { waitFor } from '../support/ports.js';

let signed: SignedRegistry;
let config: TrustConfigDir;
let service: RunningService;
let host: string;
let signedDigest: string;
let unsignedDigest: string;

beforeAll(async () => {
  signed = await startSignedRegistry();
  host = signed.registry.host;
  config = await createTrustConfigDir('tp-e2e', signed.chain.root.pem);
  signedDigest = (await signed.push('team/app', 'v1', 'signed image')).digest;
  await signed.sign('team/app', 'v1');
  unsignedDigest = (await signed.push('team/app', 'v1-unsigned', 'unsigned image')).digest;
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-e2e' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '127.0.0.1:0', health: '127.0.0.1:0' },
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await config?.remove();
});

const checkimages = () => `${service.url}/checkimages`;

describe('the documented answers', () => {
  test('signed image: 200 with the exact digest patch, as Kyverno sends it (seed 000 request shape)', async () => {
    const answer = await post(checkimages(), {
      images: { containers: { 'kyverno-demo': kyvernoContainer(host, 'team/app', 'v1') } },
      trustPolicy: 'tp-e2e',
      metadata: '',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.text).toBe(
      goIndented({
        verified: true,
        message: 'verified 1 image with trust policy tp-e2e',
        results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${host}/team/app@${signedDigest}` }],
        digests: { [`${host}/team/app:v1`]: signedDigest },
      }),
    );
  });

  test("unsigned image: 406 text/plain naming container and image, with notation's reason", async () => {
    const answer = await post(checkimages(), { images: { containers: { 'kyverno-demo': kyvernoContainer(host, 'team/app', 'v1-unsigned') } } });
    expect(answer.status).toBe(406);
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.text).toBe(
      `failed to verify container kyverno-demo: failed to verify image {{${host} app team/app v1-unsigned } /spec/containers/0/image}: ` +
        `no signature is associated with "${host}/team/app@${unsignedDigest}", make sure the artifact was signed successfully\n`,
    );
  });

  test('an old caller sending only registry/path/name/tag gets the digests it knows (README curl example)', async () => {
    const answer = await post(checkimages(), { images: { containers: { test: { registry: host, path: 'team/app', name: 'app', tag: 'v1' } } } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({
      verified: true,
      message: 'verified 1 image with trust policy tp-e2e',
      results: [],
      digests: { [`${host}/team/app:v1`]: signedDigest },
    });
  });

  test('one unsigned container among signed ones fails the whole request; init containers are checked too', async () => {
    const answer = await post(checkimages(), {
      images: {
        containers: { main: kyvernoContainer(host, 'team/app', 'v1') },
        initContainers: { setup: kyvernoContainer(host, 'team/app', 'v1-unsigned', '/spec/initContainers/0/image') },
      },
    });
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(/^failed to verify init container setup: failed to verify image \{\{.* team\/app v1-unsigned \} \/spec\/initContainers\/0\/image\}: no signature is associated with/);
  });

  test('metadata claiming an image is verified never skips its verification', async () => {
    const reference = `${host}/team/app:v1-unsigned`;
    const answer = await post(checkimages(), {
      images: { containers: { c: kyvernoContainer(host, 'team/app', 'v1-unsigned') } },
      metadata: JSON.stringify({ [reference]: true, [`${host}/team/app@${unsignedDigest}`]: true }),
    });
    expect(answer.status).toBe(406);
    expect(answer.text).toContain('no signature is associated with');
  });

  test('imageReferences: unmatched images are neither verified nor patched', async () => {
    const answer = await post(checkimages(), {
      images: {
        containers: {
          app: kyvernoContainer(host, 'team/app', 'v1'),
          other: kyvernoContainer(host, 'other/unsigned', 'v1', '/spec/containers/1/image'),
        },
      },
      imageReferences: [`${host}/team/*`],
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as { results: unknown[]; message: string };
    expect(body.results).toEqual([{ op: 'replace', path: '/spec/containers/0/image', value: `${host}/team/app@${signedDigest}` }]);
    expect(body.message).toBe('verified 1 image with trust policy tp-e2e; 1 not matched by imageReferences and not verified');
  });

  test('a missing image (tag not in the registry) is a 406 that says the digest could not be resolved', async () => {
    const answer = await post(checkimages(), { images: { containers: { c: kyvernoContainer(host, 'team/app', 'does-not-exist') } } });
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(/^failed to verify container c: failed to verify image \{.*\}: failed to resolve digest: /);
  });

  test('a bad reference is a 406 that names it', async () => {
    const answer = await post(checkimages(), { images: { containers: { c: { registry: host, path: 'Team/App', name: 'App', tag: 'v1', jsonPointer: '/spec/containers/0/image' } } } });
    expect(answer.status).toBe(406);
    expect(answer.text).toBe(
      `failed to verify container c: failed to verify image {{${host} App Team/App v1 } /spec/containers/0/image}: failed to parse reference ${host}/Team/App:v1: invalid reference "${host}/Team/App:v1": repository name (Team/App) must be lowercase; expected [registry[:port]/]repository[:tag][@algorithm:hex], e.g. ghcr.io/org/app:v1 or registry.local:5000/app@sha256:<64 hex>\n`,
    );
  });

  test('attestations for a matching image without one: 406 naming the type (never a silent pass)', async () => {
    const answer = await post(checkimages(), {
      images: { containers: { c: kyvernoContainer(host, 'team/app', 'v1') } },
      attestations: [{ imageReference: '*', type: [{ name: 'sbom/cyclone-dx', conditions: { all: [] } }] }],
    });
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(
      new RegExp(`^failed to verify container c: failed to verify image \\{\\{${host.replace(/\./g, '\\.')} app team/app v1 \\} /spec/containers/0/image\\}: failed to find attestation sbom/cyclone-dx in image ${host.replace(/\./g, '\\.')}/team/app@sha256:[0-9a-f]{64}\n$`),
    );
    const elsewhere = await post(checkimages(), {
      images: { containers: { c: kyvernoContainer(host, 'team/app', 'v1') } },
      attestations: [{ imageReference: 'ghcr.io/*', type: [{ name: 'sbom/cyclone-dx' }] }],
    });
    expect(elsewhere.status).toBe(200);
  });

  test('an unknown trust policy is a 406 that says so', async () => {
    const answer = await post(checkimages(), { images: { containers: { c: kyvernoContainer(host, 'team/app', 'v1') } }, trustPolicy: 'tp-nope' });
    expect(answer.status).toBe(406);
    expect(answer.text).toBe('no trust policy found for trust policy tp-nope: no TrustPolicy resource has spec.trustPolicyName "tp-nope" (loaded: tp-e2e)\n');
  });
});

describe('cache', () => {
  test('a re-pushed tag returns the new digest even with a warm cache', async () => {
    const first = (await signed.push('team/moving', 'v1', 'first build')).digest;
    await signed.sign('team/moving', 'v1');
    const body = { images: { containers: { c: kyvernoContainer(host, 'team/moving', 'v1') } } };
    const before = JSON.parse((await post(checkimages(), body)).text) as { digests: Record<string, string> };
    expect(before.digests[`${host}/team/moving:v1`]).toBe(first);
    expect(JSON.parse((await post(checkimages(), body)).text)).toEqual(before);

    const second = (await signed.push('team/moving', 'v1', 'second build')).digest;
    await signed.sign('team/moving', 'v1', { format: 'cose', form: 'image' });
    const after = JSON.parse((await post(checkimages(), body)).text) as { digests: Record<string, string>; results: { value: string }[] };
    expect(after.digests[`${host}/team/moving:v1`]).toBe(second);
    expect(after.results[0]?.value).toBe(`${host}/team/moving@${second}`);
  });

  test('a re-pushed tag that is not signed is refused even though the old digest was verified', async () => {
    await signed.push('team/swap', 'v1', 'signed build');
    await signed.sign('team/swap', 'v1');
    const body = { images: { containers: { c: kyvernoContainer(host, 'team/swap', 'v1') } } };
    expect((await post(checkimages(), body)).status).toBe(200);
    const unsigned = (await signed.push('team/swap', 'v1', 'unsigned build')).digest;
    const answer = await post(checkimages(), body);
    expect(answer.status).toBe(406);
    expect(answer.text).toContain(`no signature is associated with "${host}/team/swap@${unsigned}"`);
  });

  test('concurrent identical requests share one verification; repeats are cache hits', async () => {
    await signed.push('team/flight', 'v1', 'single flight');
    await signed.sign('team/flight', 'v1');
    const misses = async () => (await service.metrics.cacheMisses.get()).values[0]?.value ?? 0;
    const before = await misses();
    const body = { images: { containers: { c: kyvernoContainer(host, 'team/flight', 'v1') } } };
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(checkimages(), body)));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect((await misses()) - before).toBe(1);
  });
});

describe('configuration changes on disk apply without restart', () => {
  test('trust policy edited → next request uses it; reverted → verified again', async () => {
    const body = { images: { containers: { c: kyvernoContainer(host, 'team/app', 'v1') } } };
    expect((await post(checkimages(), body)).status).toBe(200);
    const generation = service.config.current().generation;
    await config.writePolicy({ name: 'tp-e2e', trustedIdentities: ['x509.subject: C=US, ST=WA, O=Elsewhere, CN=someone else'] });
    await waitFor(async () => service.config.current().generation > generation, 5_000, 'the edited trust policy to load');
    const refused = await post(checkimages(), body);
    expect(refused.status).toBe(406);
    expect(refused.text).toBe(
      `failed to verify container c: failed to verify image {{${host} app team/app v1 } /spec/containers/0/image}: ` +
        "authenticity validation failed. Failure reason: the signature's certificate chain does not contain a certificate that matches any of the trusted identities: " +
        'signing certificate subject "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify service test signer" matches none of ' +
        '"x509.subject: C=US, ST=WA, O=Elsewhere, CN=someone else"; add its subject to trustedIdentities if it is trusted (UNTRUSTED_IDENTITY)\n',
    );

    const next = service.config.current().generation;
    await config.writePolicy({ name: 'tp-e2e' });
    await waitFor(async () => service.config.current().generation > next, 5_000, 'the reverted trust policy to load');
    expect((await post(checkimages(), body)).status).toBe(200);
  });
});

describe('operations', () => {
  test('/healthz, /readyz and /metrics answer; the service survived every request above', async () => {
    const health = await fetch(`${service.healthUrl}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    const ready = await fetch(`${service.healthUrl}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ok']);
    const metrics = await (await fetch(service.metricsUrl as string)).text();
    expect(metrics).toMatch(/imgverify_verifications_total\{result="verified",code=""\} \d+/);
    expect(metrics).toMatch(/imgverify_verifications_total\{result="not_verified",code="SIGNATURE_NOT_FOUND"\} \d+/);
    expect(metrics).toMatch(/imgverify_cache_hits_total \d+/);
    expect(metrics).toMatch(/imgverify_cache_entries \d+/);
    expect(metrics).toMatch(/imgverify_verification_duration_seconds_bucket/);
    expect(metrics).toMatch(/imgverify_config_reloads_total\{result="success"\} \d+/);
    expect(metrics).toMatch(/imgverify_checkimages_requests_total\{status="406"\} \d+/);
    expect(metrics).toMatch(/imgverify_checkimages_request_cpu_seconds_count\{status="406"\} [1-9]\d*/);
    // The policy's only scope is "*": it names no registry, so the label is "other" (test/service/operator-logs.test.ts).
    expect(metrics).toContain(`imgverify_registry_requests_total{registry="other",operation="resolve",outcome="ok"}`);
    expect(metrics).toContain(`imgverify_registry_requests_total{registry="other",operation="resolve",outcome="MANIFEST_NOT_FOUND"} 1`);
    expect(metrics).toContain(`imgverify_registry_requests_total{registry="other",operation="referrers",outcome="ok"}`);
    expect(metrics).not.toContain(`registry="${host}"`);
    expect(metrics).toMatch(/imgverify_registry_request_duration_seconds_bucket\{le="0.005",registry="[^"]+",operation="fetchBlob"\}/);
  });
});
