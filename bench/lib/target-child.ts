// Entry of a benchmark target's child process (see target.ts): started by startChildTarget, never by hand.
import { serveChild } from './target.js';

await serveChild();
