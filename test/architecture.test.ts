// ARCHITECTURE.md's imports table against the code: each domain imports exactly the domains its row names (by `from '../x/…'` lines).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** The rows of the table after "What each domain imports today": domain → the domains named, or 'any' for `everything` / `all of the above`. */
function declaredImports(): Map<string, Set<string> | 'any'> {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const table = text.slice(text.indexOf('What each domain imports today')).split('\n\n')[1] ?? '';
  const rows = new Map<string, Set<string> | 'any'>();
  for (const line of table.split('\n').slice(2)) {
    const [, domains = '', imports = ''] = line.split('|').map((cell) => cell.trim());
    const named = (cell: string): string[] => [...cell.matchAll(/`([a-z]+)`/g)].map((match) => match[1] as string);
    const declared = /everything|all of the above/.test(imports) ? 'any' : new Set(named(imports.replace(/\(.*\)/, '')));
    for (const domain of named(domains)) rows.set(domain, declared);
  }
  return rows;
}

/** The other domains a domain's files import. */
function actualImports(domain: string): Set<string> {
  const found = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, depth + 1);
      else if (entry.name.endsWith('.ts')) {
        const up = '\\.\\./'.repeat(depth + 1);
        for (const match of readFileSync(path, 'utf8').matchAll(new RegExp(`from '${up}([a-z]+)/`, 'g'))) found.add(match[1] as string);
      }
    }
  };
  walk(join(SRC, domain), 0);
  found.delete(domain);
  return found;
}

test('every domain under src/ has a row, and imports exactly what the row names', () => {
  const declared = declaredImports();
  const domains = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  expect([...declared.keys()].sort()).toEqual(domains);
  for (const domain of domains) {
    const row = declared.get(domain);
    const actual = [...actualImports(domain)].sort();
    if (row === 'any') expect({ domain, imports: actual.filter((name) => !domains.includes(name)) }).toEqual({ domain, imports: [] });
    else expect({ domain, imports: actual }).toEqual({ domain, imports: [...(row ?? [])].sort() });
  }
});

/** Every .ts file under src/ with its text. */
function sourceFiles(dir = SRC): { path: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [{ path, text: readFileSync(path, 'utf8') }] : [];
  });
}

test('a package loaded with import() goes through importCommonJs (in the bundle a CommonJS package has a default export only)', () => {
  const bare = sourceFiles().flatMap(({ path, text }) =>
    [...text.matchAll(/(typeof |importCommonJs\(\(\) => )?import\('([^.'][^']*)'\)/g)].filter((match) => match[1] === undefined).map((match) => `${path.slice(ROOT.length + 1)}: import('${match[2]}')`),
  );
  expect(bare).toEqual([]);
});
