// The self-contained demo and its building blocks (registry process, demo images, Kyverno request).
export { runDemo, type DemoCall, type DemoOptions, type DemoOutcome } from './run.js';
export {
  createDemoEnvironment,
  kyvernoImagesRequest,
  DEMO_REPOSITORY,
  DEMO_SIGNER_SUBJECT,
  DEMO_TRUST_POLICY,
  DEMO_TRUST_STORE,
  type DemoEnvironment,
  type DemoEnvironmentOptions,
  type DemoImage,
} from './environment.js';
export { startRegistry, type RegistryOptions, type RegistryServer } from './registry-process.js';
export { freePort, waitFor } from './ports.js';
export { tarGzLayer } from './image.js';
