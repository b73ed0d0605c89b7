// Errors of the configuration domain: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type ConfigErrorCode =
  /** The config directory is missing or cannot be read. */
  | 'CONFIG_DIR_UNREADABLE'
  /** A configuration source other than a directory (the Kubernetes API, ...) cannot be read. */
  | 'CONFIG_SOURCE_UNREADABLE'
  /** A manifest file cannot be read or parsed as YAML. */
  | 'MANIFEST_UNREADABLE'
  /** A resource breaks the TrustPolicy / TrustStore schema or a rule of the Notary spec. */
  | 'INVALID_RESOURCE'
  /** Two resources claim the same name. */
  | 'DUPLICATE_RESOURCE'
  /** A TrustPolicy names a trust store no TrustStore resource provides. */
  | 'MISSING_TRUST_STORE'
  /** A TrustPolicy is accepted but probably not what was meant (a `*` statement weaker than a scoped one, level skip with `*`, only tsa trust stores): a warning at its field. */
  | 'WEAK_TRUST_POLICY';

export class ConfigError extends BaseError<ConfigErrorCode> {}
