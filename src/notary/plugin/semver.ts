// Semantic Versioning 2.0.0 validation and precedence, for verificationPluginMinVersion checks.

/** The regular expression published with SemVer 2.0.0 (no leading `v`). */
const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

interface ParsedVersion {
  core: [bigint, bigint, bigint];
  prerelease: string[];
}

function parse(version: string): ParsedVersion | undefined {
  const match = SEMVER_PATTERN.exec(version);
  if (!match) return undefined;
  return {
    core: [BigInt(match[1] ?? '0'), BigInt(match[2] ?? '0'), BigInt(match[3] ?? '0')],
    prerelease: match[4] ? match[4].split('.') : [],
  };
}

export function isValidSemver(version: string): boolean {
  return SEMVER_PATTERN.test(version);
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x === y ? 0 : x < y ? -1 : 1;
  }
  // Numeric identifiers have lower precedence than alphanumeric ones.
  if (aNumeric) return -1;
  if (bNumeric) return 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Precedence of two valid versions (-1, 0, 1); build metadata is ignored. Throws on invalid input:
 * callers validate first so they can name the bad value.
 */
export function compareSemver(a: string, b: string): number {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) throw new TypeError(`not a semantic version: ${JSON.stringify(x ? b : a)}`);
  for (let i = 0; i < 3; i++) {
    const [p, q] = [x.core[i] ?? 0n, y.core[i] ?? 0n];
    if (p !== q) return p < q ? -1 : 1;
  }
  // A version without pre-release outranks the same version with one.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    return x.prerelease.length === y.prerelease.length ? 0 : x.prerelease.length === 0 ? 1 : -1;
  }
  const n = Math.max(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < n; i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const c = compareIdentifiers(p, q);
    if (c !== 0) return c;
  }
  return 0;
}
