// Platform selection in an image index for `--platform os/arch[/variant]`.
import type { Descriptor, ImageIndex, Platform } from '../../oci/index.js';
import { NotaryError } from '../errors.js';

/** `linux/arm64/v8` → `{os, architecture, variant}`; throws INVALID_INPUT. */
export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '' || /\s/.test(p))) {
    throw new NotaryError('INVALID_INPUT', `invalid platform ${JSON.stringify(value)}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm/v7`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** containerd's normalisation: arm64 has the implicit variant v8. */
function variantOf(platform: Platform): string | undefined {
  if (platform.architecture === 'arm64' && (platform.variant === undefined || platform.variant === 'v8')) return undefined;
  return platform.variant;
}

function matches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate || candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  const variant = variantOf(wanted);
  return variant === undefined || variant === variantOf(candidate);
}

/** The first manifest of the index for `wanted` (index order: deterministic); throws INVALID_INPUT when none matches. */
export function selectPlatformManifest(index: ImageIndex, wanted: Platform, indexDigest: string): Descriptor {
  const found = index.manifests.find((m) => matches(wanted, m.platform));
  if (!found) {
    const available = index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : '(no platform)')).join(', ');
    throw new NotaryError(
      'INVALID_INPUT',
      `the index ${indexDigest} has no manifest for platform ${formatPlatform(wanted)} (it lists: ${available || 'nothing'})`,
    );
  }
  return found;
}
