// Defaults and limits of image references, as docker/distribution defines them.

/** Registry of references that name none. */
export const DEFAULT_REGISTRY = 'docker.io';
/** Old name of Docker Hub, normalised to DEFAULT_REGISTRY. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
/** Every other name of Docker Hub's registry, spelled canonically as DEFAULT_REGISTRY. */
export const DOCKER_HUB_ALIASES: readonly string[] = [LEGACY_DEFAULT_REGISTRY, 'registry-1.docker.io'];
/** The port a registry host without one is reached on (HTTPS); `host:443` is `host`. */
export const DEFAULT_HTTPS_PORT = 443;
/** Namespace of single-segment Docker Hub names (`alpine` → `library/alpine`). */
export const OFFICIAL_REPOSITORY_PREFIX = 'library/';
/** Tag used by tools when a reference names neither tag nor digest. */
export const DEFAULT_TAG = 'latest';
/** Longest repository path, in characters (distribution's RepositoryNameTotalLengthMax). */
export const REPOSITORY_NAME_MAX_LENGTH = 255;
/** Longest tag, in characters (the grammar's `[\w][\w.-]{0,127}`). */
export const TAG_MAX_LENGTH = 128;
/** Digest algorithms of the OCI image spec and the length of their lower-case hex encodings. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
