// `imgverify conditions` and `imgverify jp` through the whole CLI: outputs, exit codes 0/1/2, stdin.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runJp } from '../../src/cli/commands/jp.js';
import { runCli } from '../support/cli.js';

const FIXTURES = new URL('../fixtures/conditions/', import.meta.url).pathname;
const SBOM = join(FIXTURES, 'sbom-cyclonedx.json');
const GPL_SBOM = join(FIXTURES, 'sbom-cyclonedx-gpl.json');
const LICENSES = join(FIXTURES, 'licenses.yaml');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-cli-conditions-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(work, name);
  await writeFile(path, text);
  return path;
}

describe('imgverify conditions', () => {
  test('passing conditions: exit 0 and the passing messages', async () => {
    expect(await runCli('conditions', '--payload', SBOM, '--conditions', LICENSES)).toEqual({
      code: 0,
      stdout: 'Conditions passed: invalid license version; GPL licenses are not allowed\n',
      stderr: '',
    });
  });

  test('a GPL licence: exit 1 and the failing condition’s message, as JSON', async () => {
    expect(await runCli('conditions', '--payload', GPL_SBOM, '--conditions', LICENSES, '--output', 'json')).toEqual({
      code: 1,
      stdout: '{"passed":false,"messages":["GPL licenses are not allowed"]}\n',
      stderr: '',
    });
  });

  test('a list of blocks in JSON, any: [] fails as in Kyverno', async () => {
    const conditions = await file('any-empty.json', JSON.stringify([{ all: [{ key: '{{creationInfo.licenseListVersion}}', operator: 'Equals', value: '3.17' }], any: [] }]));
    expect(await runCli('conditions', '--payload', SBOM, '--conditions', conditions, '-o', 'json')).toMatchObject({ code: 1, stdout: '{"passed":false,"messages":[]}\n' });
  });

  test.each([
    { name: 'an unknown operator', conditions: 'all:\n  - key: a\n    operator: Equls\n    value: a\n', error: 'Error: conditions.all[0]: unknown operator "Equls"' },
    { name: 'a missing key in the payload', conditions: 'all:\n  - key: "{{ nope }}"\n    operator: Equals\n    value: a\n', error: 'Error: failed to substitute variables in condition key: Unknown key "nope" in path (JMESPATH_NOT_FOUND)' },
    { name: 'a JMESPath syntax error', conditions: 'all:\n  - key: "{{ a[ }}"\n    operator: Equals\n    value: a\n', error: 'invalid JMESPath expression "a["' },
    { name: 'an unparseable file', conditions: 'all: [\n', error: 'Error: conditions ' },
  ])('$name: exit 2 with the error on stderr', async ({ conditions, error }) => {
    const run = await runCli('conditions', '--payload', SBOM, '--conditions', await file('bad.yaml', conditions));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(error);
  });

  test('a missing payload file: exit 2', async () => {
    const run = await runCli('conditions', '--payload', join(work, 'absent.json'), '--conditions', LICENSES);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^Error: cannot read payload .*absent\.json: ENOENT/);
  });
});

describe('imgverify jp', () => {
  test('prints the result as indented JSON with sorted keys, as kyverno jp query does', async () => {
    expect(await runCli('jp', '--payload', SBOM, 'components[].{v: version, n: name} | [0]')).toEqual({ code: 0, stdout: '{\n  "n": "busybox",\n  "v": "1.36.1"\n}\n', stderr: '' });
  });

  test('Kyverno functions', async () => {
    expect(await runCli('jp', '--payload', SBOM, "to_upper(join(',', components[].licenses[].expression[]))")).toEqual({ code: 0, stdout: '"MIT,APACHE-2.0"\n', stderr: '' });
  });

  test.each([
    { name: 'invalid expression', expression: 'components[', code: 'JMESPATH_INVALID' },
    { name: 'unknown function', expression: 'nope(@)', code: 'JMESPATH_INVALID' },
    { name: 'wrong argument type', expression: 'to_upper(components)', code: 'JMESPATH_FUNCTION_FAILED' },
    { name: 'not found', expression: 'nope', code: 'JMESPATH_NOT_FOUND' },
  ])('$name: exit 2, error on stderr', async ({ expression, code }) => {
    const run = await runCli('jp', '--payload', SBOM, expression);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toMatch(new RegExp(`^Error: .*\\(${code}\\)\\n$`));
  });

  test('--payload - reads stdin', async () => {
    const lines: string[] = [];
    const code = await runJp('a.b', { payload: '-' }, { stdin: Readable.from([Buffer.from('a:\n  b: [1, 2]\n')]), output: { stdout: (text) => lines.push(text), stderr: (text) => lines.push(text) } });
    expect({ code, lines }).toEqual({ code: 0, lines: ['[\n  1,\n  2\n]\n'] });
  });
});
