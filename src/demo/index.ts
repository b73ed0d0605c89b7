// The self-contained demo and its building blocks (registry process, demo images, Kyverno request).
// @peculiar/x509 needs the Reflect metadata API before it loads: every entry point imports it first.
import 'reflect-metadata';
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
