// Semantic versions as blang/semver v4 parses (strict: no `v`, no leading zeros) and compares them (build metadata ignored).

export interface Version {
  readonly core: readonly [bigint, bigint, bigint];
  readonly pre: readonly (bigint | string)[];
}

const MAX_UINT64 = (1n << 64n) - 1n;
const NUMBER = /^[0-9]+$/;
const ALPHANUMERIC = /^[0-9A-Za-z-]+$/;

function numeric(part: string): bigint | undefined {
  if (!NUMBER.test(part) || (part.length > 1 && part[0] === '0')) return undefined;
  const value = BigInt(part);
  return value <= MAX_UINT64 ? value : undefined;
}

/** semver.Parse: the version, or undefined where blang/semver returns an error. */
export function parseVersion(text: string): Version | undefined {
  const [major, minor, ...rest] = text.split('.');
  if (major === undefined || minor === undefined || rest.length === 0) return undefined;
  let patch = rest.join('.');
  const plus = patch.indexOf('+');
  if (plus !== -1) {
    const build = patch.slice(plus + 1).split('.');
    if (build.some((part) => !ALPHANUMERIC.test(part))) return undefined;
    patch = patch.slice(0, plus);
  }
  let pre: (bigint | string)[] = [];
  const dash = patch.indexOf('-');
  if (dash !== -1) {
    const parts = patch.slice(dash + 1).split('.');
    patch = patch.slice(0, dash);
    const parsed: (bigint | string)[] = [];
    for (const part of parts) {
      if (NUMBER.test(part)) {
        const value = numeric(part);
        if (value === undefined) return undefined;
        parsed.push(value);
      } else if (ALPHANUMERIC.test(part)) {
        parsed.push(part);
      } else {
        return undefined;
      }
    }
    pre = parsed;
  }
  const core = [numeric(major), numeric(minor), numeric(patch)];
  if (core.some((part) => part === undefined)) return undefined;
  return { core: core as [bigint, bigint, bigint], pre };
}

function comparePart(left: bigint | string, right: bigint | string): number {
  if (typeof left === 'bigint' && typeof right === 'bigint') return left === right ? 0 : left > right ? 1 : -1;
  if (typeof left === 'bigint') return -1;
  if (typeof right === 'bigint') return 1;
  return left === right ? 0 : left > right ? 1 : -1;
}

/** Version.Compare: -1, 0 or 1 by semver precedence. */
export function compareVersions(left: Version, right: Version): number {
  for (let index = 0; index < 3; index++) {
    const order = comparePart(left.core[index] as bigint, right.core[index] as bigint);
    if (order !== 0) return order;
  }
  if (left.pre.length === 0 || right.pre.length === 0) return Math.sign(right.pre.length - left.pre.length) * (left.pre.length === right.pre.length ? 0 : 1);
  for (let index = 0; index < Math.min(left.pre.length, right.pre.length); index++) {
    const order = comparePart(left.pre[index] as bigint | string, right.pre[index] as bigint | string);
    if (order !== 0) return order;
  }
  return Math.sign(left.pre.length - right.pre.length);
}
