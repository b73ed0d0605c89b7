// Names, limits and defaults of the Notation plugin contract (plugin-extensibility.md).

/** The plugin contract version imgverify speaks. */
export const PLUGIN_CONTRACT_VERSION = '1.0';

/** Plugin executables are `<plugin dir>/<name>/notation-<name>`. */
export const PLUGIN_EXECUTABLE_PREFIX = 'notation-';
/** Sub-directory of the notation config dir that holds plugins. */
export const PLUGINS_DIR_NAME = 'plugins';

/** Plugin commands used by verification. */
export const COMMAND_GET_PLUGIN_METADATA = 'get-plugin-metadata';
export const COMMAND_VERIFY_SIGNATURE = 'verify-signature';

/** Verification capabilities a plugin can claim. */
export const CAPABILITY_TRUSTED_IDENTITY = 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY';
export const CAPABILITY_REVOCATION_CHECK = 'SIGNATURE_VERIFIER.REVOCATION_CHECK';
export const VERIFICATION_CAPABILITIES = [CAPABILITY_TRUSTED_IDENTITY, CAPABILITY_REVOCATION_CHECK] as const;
export type VerificationCapability = (typeof VERIFICATION_CAPABILITIES)[number];


/**
 * Bound on each output channel of a plugin process. The spec allows up to 64 MiB; verification
 * responses are a few KiB, so a much smaller bound keeps a misbehaving plugin from filling memory.
 */
export const MAX_PLUGIN_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Deadline of one plugin command; get-plugin-metadata must answer from static data. */
export const DEFAULT_PLUGIN_METADATA_TIMEOUT_MS = 10_000;
export const DEFAULT_PLUGIN_VERIFY_TIMEOUT_MS = 30_000;

/**
 * Plugin names come from the (not yet authenticated) signature, so they must never reach the
 * filesystem as a path: reverse-domain names only, no separators, no `..`.
 */
export const PLUGIN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
