// Summarise a V8 .cpuprofile (from `npm run bench -- --profile DIR`): where the service's CPU time goes,
// by function (self time), by source file (self time), inclusive time of each of our functions (src/: the
// function and what it calls, once per sample however deep it recurses), and inclusive time of chosen functions.
// usage: node dist/bench/profile-summary.js FILE.cpuprofile [--top N] [--inclusive name1,name2]
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `file:///work/main/dist/src/oci/transport.js` → `src/oci/transport.js`; node internals and packages by name. */
function shortFile(url: string): string {
  if (url === '') return '(native/vm)';
  const nodeModules = url.lastIndexOf('node_modules/');
  if (nodeModules >= 0) {
    const rest = url.slice(nodeModules + 'node_modules/'.length).split('/');
    return `npm:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  return url.replace(/^node:/, 'node:');
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${shortFile(url)}:${lineNumber + 1}`;
}

export function summarise(profile: CpuProfile, top: number, inclusiveNames: readonly string[]): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
  const busy = totalUs - idle;

  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const oursInclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + us);
    const file = shortFile(node.callFrame.url);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    // Inclusive: charge each named ancestor once per sample stack.
    const seen = new Set<string>();
    const seenOurs = new Set<string>();
    for (let cursor: number | undefined = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const frame = byId.get(cursor);
      const name = frame?.callFrame.functionName ?? '';
      if (inclusiveNames.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
      // A profile's own self time shows a flat picture; what a function of ours costs with its callees is here.
      const ours = frame && shortFile(frame.callFrame.url).startsWith('src/') ? label(frame) : undefined;
      if (ours !== undefined && !seenOurs.has(ours)) {
        seenOurs.add(ours);
        oursInclusive.set(ours, (oursInclusive.get(ours) ?? 0) + us);
      }
    }
  }
  const pct = (us: number): string => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  const ms = (us: number): string => `${(us / 1000).toFixed(0).padStart(7)} ms`;
  const table = (entries: Map<string, number>): string[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `${ms(us)} ${pct(us)}  ${name}`);
  return [
    `profile: ${(totalUs / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (percentages are of busy time)`,
    '',
    'self time by function:',
    ...table(byFunction),
    '',
    'self time by file:',
    ...table(byFile),
    '',
    'inclusive time of our functions (src/):',
    ...table(oursInclusive),
    ...(inclusiveNames.length > 0 ? ['', 'inclusive time:', ...table(inclusive)] : []),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' }, inclusive: { type: 'string', default: '' } },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: node dist/bench/profile-summary.js FILE.cpuprofile [--top N] [--inclusive name1,name2]');
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const names = (values.inclusive ?? '').split(',').filter((name) => name !== '');
  process.stdout.write(`${summarise(profile, Number(values.top), names)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
