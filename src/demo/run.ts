// The README's main job: a registry, a signed and an unsigned image, the service in file mode,
// and the exact request Kyverno sends, for both images; prints what happens and checks it.
import { startService, type RunningService } from '../service/index.js';
import { createDemoEnvironment, kyvernoImagesRequest, DEMO_TRUST_POLICY, type DemoEnvironment, type DemoImage } from './environment.js';

export interface DemoOptions {
  /** Keep the registry and service running until `untilClosed` resolves (e.g. Ctrl-C). */
  keep?: boolean;
  untilClosed?: Promise<void>;
  write: (line: string) => void;
}

export interface DemoCall {
  image: DemoImage;
  status: number;
  contentType: string | null;
  body: string;
  /** Whether the answer is the one the contract demands for this image. */
  asExpected: boolean;
}

export interface DemoOutcome {
  calls: DemoCall[];
  ok: boolean;
}

const CONTAINER = 'kyverno-demo';

async function post(service: RunningService, image: DemoImage, write: (line: string) => void): Promise<DemoCall> {
  const body = JSON.stringify(kyvernoImagesRequest([{ name: CONTAINER, image }], DEMO_TRUST_POLICY));
  write(`\n$ curl -s -X POST ${service.url}/checkimages -d '${body}'`);
  const res = await fetch(`${service.url}/checkimages`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  write(`HTTP ${res.status} (${res.headers.get('content-type') ?? 'no content type'})`);
  write(text.trimEnd());
  const expectedPatch = `${image.registry}/${image.repository}@${image.digest}`;
  const asExpected = image.signed
    ? res.status === 200 && text.includes(expectedPatch)
    : res.status === 406 && text.includes(`no signature is associated with "${expectedPatch}"`);
  return { image, status: res.status, contentType: res.headers.get('content-type'), body: text, asExpected };
}

export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const { write } = options;
  write('imgverify demo: a local docker-registry, one signed and one unsigned image, `imgverify serve` in file mode.');
  let environment: DemoEnvironment | undefined;
  let service: RunningService | undefined;
  try {
    environment = await createDemoEnvironment();
    write(`registry        ${environment.registry.url} (docker-registry, storage in a temp dir)`);
    for (const image of [...environment.signed, ...environment.unsigned]) {
      write(`image           ${image.reference} = ${image.digest} (${image.signed ? 'signed, JWS, by a generated test CA' : 'not signed'})`);
    }
    write(`config dir      ${environment.configDir} (TrustPolicy "${DEMO_TRUST_POLICY}" + TrustStore YAML)`);
    service = await startService({
      config: { dir: environment.configDir },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '127.0.0.1:0', health: '127.0.0.1:0' },
      auth: { reviewKyvernoToken: false },
      logLevel: 'warn',
    });
    write(`service         ${service.url}/checkimages  metrics ${service.metricsUrl ?? '-'}  health ${service.healthUrl ?? '-'}`);
    const calls: DemoCall[] = [];
    for (const image of [...environment.signed, ...environment.unsigned]) calls.push(await post(service, image, write));
    const ok = calls.every((call) => call.asExpected);
    write(
      ok
        ? '\nOK: the signed image was admitted with its tag replaced by the verified digest; the unsigned one was refused.'
        : '\nUNEXPECTED: see the answers above.',
    );
    if (options.keep && options.untilClosed) {
      write('Registry and service keep running; press Ctrl-C to stop.');
      await options.untilClosed;
    }
    return { calls, ok };
  } finally {
    await service?.close();
    await environment?.close();
  }
}
