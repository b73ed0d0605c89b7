// Amazon Resource Names as the AWS SDK for Go's arn.Parse reads them, and the Signer resources the verifier compares.

/** `arn:<partition>:<service>:<region>:<account>:<resource>`; the resource keeps any further colons. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

const ARN_PREFIX = 'arn:';
const ARN_SECTIONS = 6;

/** Parse an ARN as Go's arn.Parse does (case-sensitive `arn:` prefix, six sections); undefined when it is not one. */
export function parseArn(value: string): Arn | undefined {
  if (!value.startsWith(ARN_PREFIX)) return undefined;
  const sections: string[] = [];
  let rest = value;
  while (sections.length < ARN_SECTIONS - 1) {
    const colon = rest.indexOf(':');
    if (colon < 0) return undefined;
    sections.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  sections.push(rest);
  const [, partition, service, region, accountId, resource] = sections as [string, string, string, string, string, string];
  return { partition, service, region, accountId, resource };
}

/** Resource prefixes of AWS Signer ARNs that a trusted identity may name. */
export const SIGNING_PROFILES_RESOURCE = '/signing-profiles/';
export const ALIASED_SIGNING_PROFILES_RESOURCE = '/aliased-signing-profiles/';
export const ALIASES_RESOURCE = '/aliases/';

/** Case-insensitive equality as Go's strings.EqualFold (Unicode simple folding; ARNs are ASCII). */
export function equalFold(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}
