// Parse and normalise image references exactly like docker/distribution's ParseNormalizedNamed.
import {
  DEFAULT_REGISTRY,
  DEFAULT_TAG,
  LEGACY_DEFAULT_REGISTRY,
  OFFICIAL_REPOSITORY_PREFIX,
  REPOSITORY_NAME_MAX_LENGTH,
} from './constants.js';
import { digestProblem } from './digest.js';
import { ReferenceParseError } from './errors.js';
import {
  ANCHORED_DOMAIN_REGEXP,
  ANCHORED_IDENTIFIER_REGEXP,
  ANCHORED_NAME_REGEXP,
  ANCHORED_REMOTE_NAME_REGEXP,
  ANCHORED_TAG_REGEXP,
  REFERENCE_REGEXP,
} from './grammar.js';

/** A normalised image reference: `docker.io/library/alpine:3` has registry `docker.io`, repository `library/alpine`. */
export interface Reference {
  /** Registry host with optional port, e.g. `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path inside the registry, e.g. `library/alpine`. */
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Split the registry from the rest as docker does: the first segment is a registry only when it
 * contains `.` or `:`, is `localhost`, or has upper-case letters (which a path may not).
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_REGISTRY;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_REGISTRY) domain = DEFAULT_REGISTRY;
  if (domain === DEFAULT_REGISTRY && !remainder.includes('/')) remainder = OFFICIAL_REPOSITORY_PREFIX + remainder;
  return { domain, remainder };
}

/** Explain why a normalised string fails the grammar, part by part, for an actionable message. */
function diagnose(normalised: string): string {
  if (normalised !== normalised.trim() || /\s/.test(normalised)) return 'references may not contain whitespace';
  if (normalised.includes('://')) return 'a reference has no URL scheme (drop "http://" or "https://")';
  let rest = normalised;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const digest = rest.slice(at + 1);
    const problem = digestProblem(digest);
    if (problem) return problem;
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    const tag = rest.slice(colon + 1);
    if (!ANCHORED_TAG_REGEXP.test(tag)) {
      return tag.length > 128
        ? `tag is ${tag.length} characters long; the limit is 128`
        : `invalid tag format ${JSON.stringify(tag)} (a tag is 1-128 of [A-Za-z0-9_.-], not starting with . or -)`;
    }
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const domain = rest.slice(0, slash);
  if (!ANCHORED_DOMAIN_REGEXP.test(domain)) return `invalid registry host ${JSON.stringify(domain)}`;
  const path = rest.slice(slash + 1);
  if (!ANCHORED_REMOTE_NAME_REGEXP.test(path)) {
    return `invalid repository path ${JSON.stringify(path)} (lower-case letters, digits and separators . _ __ - between them, components joined by /)`;
  }
  return 'invalid reference format';
}

/** Parse a reference; tag and digest stay undefined when absent (see `referenceTarget`). */
export function parseReference(input: string): Reference {
  if (input === '') throw new ReferenceParseError(input, 'repository name must have at least one component');
  if (ANCHORED_IDENTIFIER_REGEXP.test(input)) {
    throw new ReferenceParseError(input, 'a 64-character hexadecimal string is not a repository name (prefix a digest with "<repository>@sha256:")');
  }
  const { domain, remainder } = splitDockerDomain(input);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator === -1 ? remainder : remainder.slice(0, tagSeparator);
  if (remote.toLowerCase() !== remote) {
    throw new ReferenceParseError(input, `repository name (${remote}) must be lowercase`);
  }
  const normalised = `${domain}/${remainder}`;
  const match = REFERENCE_REGEXP.exec(normalised);
  if (!match) {
    if (REFERENCE_REGEXP.test(normalised.toLowerCase())) {
      throw new ReferenceParseError(input, 'repository name must be lowercase');
    }
    throw new ReferenceParseError(input, diagnose(normalised));
  }
  const name = match[1] as string;
  const nameMatch = ANCHORED_NAME_REGEXP.exec(name);
  const registry = nameMatch?.[1];
  const repository = nameMatch?.[2];
  // Go's parser would accept `a_b.c/app` as a domain-less path; a reference without a usable
  // registry host cannot be pulled, so it is refused here.
  if (registry === undefined || repository === undefined) {
    throw new ReferenceParseError(input, `invalid registry host ${JSON.stringify(domain)}`);
  }
  if (repository.length > REPOSITORY_NAME_MAX_LENGTH) {
    throw new ReferenceParseError(input, `repository name must not be more than ${REPOSITORY_NAME_MAX_LENGTH} characters (it has ${repository.length})`);
  }
  const reference: Reference = { registry, repository };
  if (match[2] !== undefined) reference.tag = match[2];
  if (match[3] !== undefined) {
    const problem = digestProblem(match[3]);
    if (problem) throw new ReferenceParseError(input, problem);
    reference.digest = match[3];
  }
  return reference;
}

/** The fully qualified string: `registry/repository[:tag][@digest]`. */
export function formatReference(reference: Reference): string {
  let out = `${reference.registry}/${reference.repository}`;
  if (reference.tag !== undefined) out += `:${reference.tag}`;
  if (reference.digest !== undefined) out += `@${reference.digest}`;
  return out;
}

/** `registry/repository`, the name trust policy scopes match against. */
function repositoryName(reference: Pick<Reference, 'registry' | 'repository'>): string {
  return `${reference.registry}/${reference.repository}`;
}

/** Docker's short form: `docker.io/library/alpine:3` → `alpine:3`, `docker.io/org/app` → `org/app`. */
export function familiarReference(reference: Reference): string {
  const full = formatReference(reference);
  if (reference.registry !== DEFAULT_REGISTRY) return full;
  const rest = full.slice(DEFAULT_REGISTRY.length + 1);
  return rest.startsWith(OFFICIAL_REPOSITORY_PREFIX) && !rest.slice(OFFICIAL_REPOSITORY_PREFIX.length).split(/[:@]/)[0]?.includes('/')
    ? rest.slice(OFFICIAL_REPOSITORY_PREFIX.length)
    : rest;
}

/** What to resolve in the repository: the digest when pinned, else the tag, else `latest`. */
export function referenceTarget(reference: Reference): string {
  return reference.digest ?? reference.tag ?? DEFAULT_TAG;
}

/** The same repository pinned to `digest` (the tag is dropped: a digest reference is exact). */
export function withDigest(reference: Reference, digest: string): Reference {
  const problem = digestProblem(digest);
  if (problem) throw new ReferenceParseError(`${repositoryName(reference)}@${digest}`, problem);
  return { registry: reference.registry, repository: reference.repository, digest };
}
