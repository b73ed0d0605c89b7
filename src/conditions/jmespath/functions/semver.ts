// Kyverno's semver_compare: blang/semver v4 ParseRange (">1.0.0 <2.0.0 || 3.x") applied to a version.
import { compareVersions, parseVersion, type Version } from '../../operators/semver.js';
import { functionError } from '../errors.js';
import type { FunctionEntry } from './table.js';

type Check = (version: Version) => boolean;

const COMPARATORS: Readonly<Record<string, (order: number) => boolean>> = {
  '': (order) => order === 0,
  '=': (order) => order === 0,
  '==': (order) => order === 0,
  '!': (order) => order !== 0,
  '!=': (order) => order !== 0,
  '>': (order) => order === 1,
  '>=': (order) => order >= 0,
  '<': (order) => order === -1,
  '<=': (order) => order <= 0,
};

const fail = (message: string) => functionError('semver_compare', message);

/** splitAndTrim: split on spaces, except after an operator character, then drop the spaces. */
function splitAndTrim(range: string): string[] {
  const result: string[] = [];
  let last = 0;
  let lastChar = '';
  for (let index = 0; index < range.length; index++) {
    if (range[index] === ' ' && !'><='.includes(lastChar || '_')) {
      if (last < index - 1) result.push(range.slice(last, index));
      last = index + 1;
    } else if (range[index] !== ' ') {
      lastChar = range[index] as string;
    }
  }
  if (last < range.length - 1) result.push(range.slice(last));
  return result.map((part) => part.replaceAll(' ', ''));
}

function splitComparatorVersion(part: string): [string, string] {
  const index = part.search(/\p{Nd}/u);
  if (index === -1) throw fail(`Could not get version from string: ${JSON.stringify(part)}`);
  return [part.slice(0, index).trim(), part.slice(index)];
}

const bump = (version: string, position: number) => {
  const parts = version.split('.');
  const value = Number.parseInt(parts[position] ?? '', 10);
  if (!/^[+-]?[0-9]+$/.test(parts[position] ?? '')) return '';
  parts[position] = String(value + 1);
  return parts.join('.');
};

/** expandWildcardVersion: `1.x` and `1.2.x` become ranges, as blang does (including its `!=` quirk, an AND of both sides). */
function expandWildcards(parts: string[]): string[] {
  const expanded: string[] = [];
  for (let part of parts) {
    if (part.includes('x')) {
      const [operator, version] = splitComparatorVersion(part);
      const pieces = version.split('.');
      const wildcard = pieces[pieces.length - 1] === 'x' ? pieces.length : 0;
      let flat = version.replace('.x.x', '.x').replace('.x', '.0');
      if (flat.split('.').length === 2) flat += '.0';
      let resultOperator = '';
      let increment = false;
      if (operator === '>') [resultOperator, increment] = ['>=', true];
      else if (operator === '>=') resultOperator = '>=';
      else if (operator === '<') resultOperator = '<';
      else if (operator === '<=') [resultOperator, increment] = ['<', true];
      else if (operator === '' || operator === '=' || operator === '==') {
        expanded.push(`>=${flat}`);
        [resultOperator, increment] = ['<', true];
      } else if (operator === '!=' || operator === '!') {
        expanded.push(`<${flat}`);
        [resultOperator, increment] = ['>=', true];
      }
      const resultVersion = !increment ? flat : wildcard === 3 ? bump(flat, 1) : wildcard === 2 ? bump(flat, 0) : '';
      part = resultOperator + resultVersion;
    }
    expanded.push(part);
  }
  return expanded;
}

/** semver.ParseRange: a predicate, or the error blang returns. */
function parseRange(range: string): Check {
  const parts = splitAndTrim(range);
  const alternatives: string[][] = [];
  let last = 0;
  parts.forEach((part, index) => {
    if (part !== '||') return;
    if (index === 0) throw fail(`First element in range is '||'`);
    alternatives.push(parts.slice(last, index));
    last = index + 1;
  });
  if (last === parts.length) throw fail(`Last element in range is '||'`);
  alternatives.push(parts.slice(last));
  const checks = alternatives.map((alternative) =>
    expandWildcards(alternative).map((part): Check => {
      const [operator, versionText] = splitComparatorVersion(part);
      const comparator = COMPARATORS[operator];
      if (comparator === undefined) throw fail(`Could not parse Range ${JSON.stringify(part)}: Could not parse comparator ${JSON.stringify(operator)} in ${JSON.stringify(part)}`);
      const bound = parseVersion(versionText);
      if (bound === undefined) throw fail(`Could not parse Range ${JSON.stringify(part)}: Could not parse version ${JSON.stringify(versionText)} in ${JSON.stringify(part)}`);
      return (version) => comparator(compareVersions(version, bound));
    }),
  );
  return (version) => checks.some((all) => all.every((check) => check(version)));
}

/** A version that does not parse is 0.0.0, as Kyverno ignores the parse error. */
const ZERO: Version = { core: [0n, 0n, 0n], pre: [] };

export const SEMVER_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['semver_compare', { arguments: [['string'], ['string']], handler: ([version, range]) => parseRange(range as string)(parseVersion(version as string) ?? ZERO) }],
]);
