// Which images of a /checkimages request are verified and what is asked of each: Kyverno's imageReferences wildcards and attestations entries.
import type { AttestationRequirement } from '../attest/index.js';
import { MAX_WILDCARD_STEPS } from './constants.js';
import { wildcardMatch, WildcardBudgetExceeded, type WildcardBudget } from '../common/index.js';

/** What selection reads of an image: the forms patterns are matched against, and where it records the attestations asked of it. */
export interface SelectableImage {
  /** `registry/path@digest` or `registry/path:tag`, as the peer prints it. */
  imageString: string;
  /** `registry/path`. */
  repositoryString: string;
  info: { tag: string; reference: string; referenceWithTag: string };
  /** Attestation types the request's `attestations` ask of this image (filled for selected images). */
  attestationTypes: string[];
  /** The same types with their condition blocks, every matching entry's blocks of a type together (as the peer). */
  attestations: AttestationRequirement[];
}

/** One entry of the request's `attestations`: a pattern and the attestation types it asks for. */
export interface AttestationRequest {
  imageReference: string;
  types: string[];
  /** Per type, the entry's condition blocks (none when its `conditions` has neither `all` nor `any` entries, as the peer). */
  requirements: AttestationRequirement[];
}

/** One requirement per type, in first-seen order, with the condition blocks of every entry that names it (all must hold). */
function mergeRequirements(requirements: readonly AttestationRequirement[]): AttestationRequirement[] {
  const byType = new Map<string, unknown[]>();
  for (const { type, conditions } of requirements) byType.set(type, [...(byType.get(type) ?? []), ...conditions]);
  return [...byType].map(([type, conditions]) => ({ type, conditions }));
}

/** The distinct forms of an image patterns are matched against (any match selects it). */
function matchForms(image: SelectableImage): string[] {
  const forms = [image.imageString, image.info.reference, image.info.referenceWithTag];
  if (image.info.tag !== '' && image.repositoryString !== '') forms.push(`${image.repositoryString}:${image.info.tag}`);
  return [...new Set(forms.filter((f) => f !== ''))];
}

/** Attestation entries that apply to `image` and ask for at least one attestation type (an empty pattern matches every image). */
export function attestationsFor(image: SelectableImage, attestations: readonly AttestationRequest[], budget?: WildcardBudget): AttestationRequest[] {
  return attestations.filter(
    (a) => a.types.length > 0 && matchForms(image).some((form) => wildcardMatch(a.imageReference === '' ? '*' : a.imageReference, form, budget)),
  );
}

export type Selection<T> = { ok: true; images: T[]; skipped: T[] } | { ok: false; message: string };

/**
 * Split `all` into the images `patterns` select (every image when there are none) and the rest,
 * and record on each selected image the attestation types asked of it. Matching of one request
 * shares one step budget (wildcards are quadratic at worst): past it, the request is refused.
 */
export function selectImages<T extends SelectableImage>(
  all: readonly T[],
  patterns: readonly string[],
  attestations: readonly AttestationRequest[],
  budgetSteps: number = MAX_WILDCARD_STEPS,
): Selection<T> {
  const images: T[] = [];
  const skipped: T[] = [];
  const budget: WildcardBudget = { steps: budgetSteps };
  try {
    for (const image of all) {
      const selected = patterns.length === 0 || matchForms(image).some((form) => patterns.some((p) => wildcardMatch(p, form, budget)));
      if (selected) {
        image.attestations = mergeRequirements(attestationsFor(image, attestations, budget).flatMap((a) => a.requirements));
        image.attestationTypes = image.attestations.map((a) => a.type);
      }
      (selected ? images : skipped).push(image);
    }
  } catch (err) {
    if (!(err instanceof WildcardBudgetExceeded)) throw err;
    return {
      ok: false,
      message: `imageReferences and attestations patterns are too costly to match against these images (more than ${budgetSteps} steps); use fewer or simpler patterns`,
    };
  }
  return { ok: true, images, skipped };
}
