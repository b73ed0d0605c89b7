// Public face of registry authentication: credentials sources, challenges, scopes and the authenticator.
export { Authenticator, type AuthenticatorOptions } from './authenticator.js';
export { parseChallenges, type Challenge } from './challenge.js';
export {
  anonymousCredentials,
  chainCredentials,
  credentialsFromDockerConfig,
  defaultDockerConfigPath,
  dockerConfigCredentials,
  parseDockerConfig,
  runCredentialHelper,
  staticCredentials,
  type Credential,
  type CredentialProvider,
  type DockerConfig,
} from './credentials.js';
export { dockerConfigKey, removeDockerConfigCredential, storeDockerConfigCredential } from './docker-config-store.js';
export { mergeScopes, repositoryScope, type RepositoryAction } from './scope.js';
