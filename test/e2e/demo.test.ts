// The README's main job end to end: real registry, real signature, the service answering Kyverno's request.
import { expect, test } from 'vitest';
import { runDemo } from '../../src/demo/index.js';

test('demo: signed image → 200 with the digest patch, unsigned → 406 naming container and digest', async () => {
  const lines: string[] = [];
  const outcome = await runDemo({ write: (line) => lines.push(line) });
  expect(outcome.calls.map((call) => [call.image.signed, call.status])).toEqual([
    [true, 200],
    [false, 406],
  ]);
  const [signed, unsigned] = outcome.calls;
  const signedBody = JSON.parse(signed!.body) as { verified: boolean; results: unknown[]; digests: Record<string, string> };
  expect(signedBody.verified).toBe(true);
  expect(signedBody.results).toEqual([
    { op: 'replace', path: '/spec/containers/0/image', value: `${signed!.image.registry}/kyverno-demo@${signed!.image.digest}` },
  ]);
  expect(signedBody.digests).toEqual({ [signed!.image.reference]: signed!.image.digest });
  expect(unsigned!.contentType).toBe('text/plain; charset=utf-8');
  expect(unsigned!.body).toBe(
    `failed to verify container kyverno-demo: failed to verify image {{${unsigned!.image.registry} kyverno-demo kyverno-demo v1-unsigned } /spec/containers/0/image}: ` +
      `no signature is associated with "${unsigned!.image.registry}/kyverno-demo@${unsigned!.image.digest}", make sure the artifact was signed successfully\n`,
  );
  expect(outcome.ok).toBe(true);
  expect(lines.at(-1)).toContain('OK: the signed image was admitted');
});
