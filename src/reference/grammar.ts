// The docker/distribution reference grammar as regular expressions, built from the same productions.

/** Lower-case alphanumeric atom of a path component. */
const alphanumeric = '[a-z0-9]+';
/**
 * One period, one or two underscores, or one or more dashes. distribution 2.x writes `[-]*`; an
 * empty separator only joins two alphanumeric runs, so `+` accepts the same names, and it keeps
 * JavaScript's backtracking engine linear (Go's RE2 is linear either way): with `*`, a name like
 * `r/aaaa…:aaaa…!` took exponential time to reject.
 */
const separator = '(?:[._]|__|-+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
/** IPv6 in brackets, without zone identifiers (as distribution). */
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';

const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

/** name, tag, digest captured. */
export const REFERENCE_REGEXP = new RegExp(`^(${namePattern})(?::(${tag}))?(?:@(${digest}))?$`);
/** domain and path of a name captured. */
export const ANCHORED_NAME_REGEXP = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
export const ANCHORED_TAG_REGEXP = new RegExp(`^${tag}$`);
export const ANCHORED_DOMAIN_REGEXP = new RegExp(`^${domainAndPort}$`);
export const ANCHORED_REMOTE_NAME_REGEXP = new RegExp(`^${remoteName}$`);

/** A repository path (`org/app`, lower-case components and separators), as the grammar's remote name. */
export function isRepositoryPath(path: string): boolean {
  return ANCHORED_REMOTE_NAME_REGEXP.test(path);
}
/** A bare 64-hex identifier, which docker refuses as a repository name. */
export const ANCHORED_IDENTIFIER_REGEXP = /^[a-f0-9]{64}$/;
