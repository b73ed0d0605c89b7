// Entry of the delay proxy's child process (see DelayProxyProcess).
import { serveDelayProxyChild } from './delay-proxy.js';

await serveDelayProxyChild();
