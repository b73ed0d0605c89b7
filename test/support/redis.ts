// The real redis-server for tests: the same launcher the benchmarks use.
export { startRedis, type RedisServer } from '../../src/demo/redis-process.js';
