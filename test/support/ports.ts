// Free loopback ports and polling for test servers: shared with the demo and benchmarks.
export { freePort, waitFor } from '../../src/demo/ports.js';
