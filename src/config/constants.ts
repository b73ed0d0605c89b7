// Names, defaults and limits of the file-based configuration (TrustPolicy / TrustStore manifests).

/** API group/version of the resources, as the kyverno-notation-aws CRDs define them. */
export const API_VERSION = 'notation.nirmata.io/v1alpha1';
export const KIND_TRUST_POLICY = 'TrustPolicy';
export const KIND_TRUST_STORE = 'TrustStore';

/** File names read from a config directory; anything else (and dotfiles) is ignored. */
export const MANIFEST_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json'];
/** A manifest file larger than this is refused (a trust store bundle is a few KiB). */
export const MAX_MANIFEST_FILE_BYTES = 1024 * 1024;
/** At most this many manifest files are read from one directory. */
export const MAX_MANIFEST_FILES = 1000;
/** At most this many YAML documents are read from one file. */
export const MAX_DOCUMENTS_PER_FILE = 200;
/** At most this many certificates in one TrustStore's caBundle. */
export const MAX_CERTIFICATES_PER_TRUST_STORE = 100;
/** YAML alias expansion bound (billion-laughs guard). */
export const MAX_YAML_ALIAS_COUNT = 100;

/** Editors save in bursts (write temp, rename, chmod): wait this long for quiet before re-reading. */
export const WATCH_DEBOUNCE_MS = 100;
/** Full re-read this often even without events, in case the platform dropped one. */
export const RESYNC_INTERVAL_MS = 60_000;
/** How often the config path is checked for naming another directory (replaced, re-pointed symlink) in case no event said so. */
export const DIRECTORY_POLL_INTERVAL_MS = 2_000;
