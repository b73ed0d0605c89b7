// --imagePullSecrets in file mode: Docker config / dockerconfigjson Secret files give the service registry credentials.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signArtifact } from '../../src/notary/index.js';
import { pushImage, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { loadPullSecrets, startService, type RunningService } from '../../src/service/index.js';
import { htpasswdAuthYaml, writeHtpasswd } from '../support/htpasswd.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { createTrustConfigDir, kyvernoContainer, post, type TrustConfigDir } from './harness.js';

const USER = 'kyverno';
const PASSWORD = 'pull-SECRET-pass-42';

let work: string;
let registry: RegistryServer;
let config: TrustConfigDir;
let digest: string;

function dockerConfig(host: string): string {
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-pull-secrets-'));
  await writeHtpasswd(join(work, 'htpasswd'), { [USER]: PASSWORD });
  const [started, chain] = await Promise.all([
    startRegistry({ authYaml: htpasswdAuthYaml(join(work, 'htpasswd')) }),
    generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'pull-secret-leaf') } }),
  ]);
  registry = started;
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: USER, password: PASSWORD }) });
  try {
    const store = client.repository(registry.host, 'private/app');
    digest = (await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode('private')] })).descriptor.digest;
    await signArtifact(store, 'v1', { key: chain.leaf.privateKey, certificateChain: chain.chain });
  } finally {
    await client.close();
  }
  config = await createTrustConfigDir('tp-private', chain.root.pem);
});

afterAll(async () => {
  await registry?.stop();
  await config?.remove();
  await rm(work, { recursive: true, force: true });
});

async function serviceWith(imagePullSecrets: string[]): Promise<RunningService> {
  return startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-private' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    registry: { imagePullSecrets },
    logLevel: 'silent',
  });
}

describe('a registry that needs credentials', () => {
  const body = () => ({ images: { containers: { app: kyvernoContainer(registry.host, 'private/app', 'v1') } } });

  test('a kubernetes.io/dockerconfigjson Secret manifest → 200', async () => {
    const secret = join(work, 'regcred.yaml');
    await writeFile(
      secret,
      ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: regcred', 'type: kubernetes.io/dockerconfigjson', 'data:', `  .dockerconfigjson: ${Buffer.from(dockerConfig(registry.host)).toString('base64')}`, ''].join('\n'),
    );
    const service = await serviceWith([secret]);
    try {
      const answer = await post(`${service.url}/checkimages`, body());
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).digests).toEqual({ [`${registry.host}/private/app:v1`]: digest });
    } finally {
      await service.close();
    }
  });

  test('a mounted Secret volume (directory with .dockerconfigjson) → 200', async () => {
    const dir = join(work, 'mounted');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, '.dockerconfigjson'), dockerConfig(registry.host));
    const service = await serviceWith([dir]);
    try {
      expect((await post(`${service.url}/checkimages`, body())).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  test('without credentials → 406 that says so, with no secret in it', async () => {
    const service = await serviceWith([]);
    try {
      const answer = await post(`${service.url}/checkimages`, body());
      expect(answer.status).toBe(406);
      expect(answer.text).toMatch(/^failed to verify container app: failed to verify image \{.*\}: failed to resolve digest: .*(username and password|credentials)/);
      expect(answer.text).not.toContain(PASSWORD);
      // The service's own remedy (issue 18 bug 1), not the CLI's flags.
      expect(answer.text).toContain(
        `${registry.host} requires a username and password; give the service the registry's credentials with --imagePullSecrets (a Docker config.json, a .dockerconfigjson, or a kubernetes.io/dockerconfigjson Secret manifest)\n`,
      );
      expect(answer.text).not.toMatch(/--username|--registry-config|docker login/);
    } finally {
      await service.close();
    }
  });
});

test.each([
  ['not JSON', 'this is not a docker config', /--imagePullSecrets .*bad: .*is not valid JSON at line 1, column 2; in file mode each entry is a Docker config.json/],
  ['a Secret without the key', 'apiVersion: v1\nkind: Secret\ndata:\n  other: eA==\n', /is a Secret without data\["\.dockerconfigjson"\]/],
])('a pull secret that is %s is a startup error naming the file', async (_name, content, message) => {
  const path = join(work, 'bad');
  await writeFile(path, content);
  await expect(loadPullSecrets([path])).rejects.toMatchObject({ code: 'INVALID_PULL_SECRET', message: expect.stringMatching(message) });
});

test('a Secret name as the peer takes it (--imagePullSecrets=regcred) is, in file mode, a warning naming the file form, not a startup error', async () => {
  const warnings: string[] = [];
  await expect(loadPullSecrets(['regcred'], { warn: (message) => warnings.push(message) })).resolves.toBeUndefined();
  expect(warnings).toEqual([
    '--imagePullSecrets regcred: no such file, ignored; in file mode each entry is a path to a Docker config.json, a .dockerconfigjson file or a kubernetes.io/dockerconfigjson Secret manifest (e.g. --imagePullSecrets=/etc/imgverify/regcred.yaml); Secret names are read from the cluster in Kubernetes mode (in a pod, or with --kubeconfig)',
  ]);
});

test('a missing pull secret file is a startup error', async () => {
  await expect(loadPullSecrets([join(work, 'nope.json')])).rejects.toMatchObject({ code: 'INVALID_PULL_SECRET' });
});
