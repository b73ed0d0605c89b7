// The real docker-registry for tests: the same launcher the demo and benchmarks use.
export { startRegistry, type RegistryOptions, type RegistryServer } from '../../src/demo/registry-process.js';
