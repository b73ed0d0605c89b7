// yaml.v2's Marshal of map[string]map[string]string: Kyverno's own expectations (pkg/webhooks/utils/block_test.go) and the styles and folding of its emitter.
import { expect, test } from 'vitest';
import { goYamlNestedStringMap } from '../../src/common/index.js';

test.each<{ name: string; map: Record<string, Record<string, string>>; yaml: string }>([
  { name: "Kyverno's block_test: one rule", map: { test: { 'rule-fail': 'message fail' } }, yaml: 'test:\n  rule-fail: message fail\n' },
  { name: "Kyverno's block_test: keys sorted", map: { test: { 'rule-fail': 'message fail', 'rule-error': 'message error' } }, yaml: 'test:\n  rule-error: message error\n  rule-fail: message fail\n' },
  { name: 'policies sorted as Go sorts strings (bytes)', map: { b: { r: 'x' }, B: { r: 'y' } }, yaml: 'B:\n  r: "y"\nb:\n  r: x\n' },
  { name: '": " needs single quotes; a quote inside is doubled', map: { p: { r: "it's: here" } }, yaml: "p:\n  r: 'it''s: here'\n" },
  { name: 'text that reads back as another type is double-quoted', map: { p: { a: 'true', b: '10', c: '', d: 'null', e: '2026-12-03' } }, yaml: 'p:\n  a: "true"\n  b: "10"\n  c: ""\n  d: "null"\n  e: "2026-12-03"\n' },
  { name: 'a leading indicator needs quotes', map: { p: { r: '[x] failed' } }, yaml: "p:\n  r: '[x] failed'\n" },
  {
    name: 'a plain scalar folds at the first space past column 80, indented by 4',
    map: { p: { r: 'word '.repeat(20).trim() } },
    yaml: `p:\n  r: ${'word '.repeat(15)}word\n    word word word word\n`,
  },
  {
    name: 'multi-line text is a literal block',
    map: { p: { r: 'line one\nline two' } },
    yaml: 'p:\n  r: |-\n    line one\n    line two\n',
  },
  {
    // Kyverno's documented denial for an unsigned image (../shared/seeds/004, lines 6-10; the page lost the leading spaces).
    name: "Kyverno's verifyImages denial from its Notary docs, folded where Kyverno folds it",
    map: {
      'check-image-notary': {
        'verify-signature-notary':
          'failed to verify image ghcr.io/kyverno/test-verify-image:unsigned: .attestors[0].entries[0]: failed to verify ghcr.io/kyverno/test-verify-image@sha256:74a98f0e4d750c9052f092a7f7a72de7b20f94f176a490088f7a744c76c53ea5: no signature is associated with "ghcr.io/kyverno/test-verify-image@sha256:74a98f0e4d750c9052f092a7f7a72de7b20f94f176a490088f7a744c76c53ea5", make sure the image was signed successfully',
      },
    },
    yaml:
      'check-image-notary:\n' +
      "  verify-signature-notary: 'failed to verify image ghcr.io/kyverno/test-verify-image:unsigned:\n" +
      '    .attestors[0].entries[0]: failed to verify ghcr.io/kyverno/test-verify-image@sha256:74a98f0e4d750c9052f092a7f7a72de7b20f94f176a490088f7a744c76c53ea5:\n' +
      '    no signature is associated with "ghcr.io/kyverno/test-verify-image@sha256:74a98f0e4d750c9052f092a7f7a72de7b20f94f176a490088f7a744c76c53ea5",\n' +
      "    make sure the image was signed successfully'\n",
  },
])('$name', ({ map, yaml }) => {
  expect(goYamlNestedStringMap(map)).toBe(yaml);
});
