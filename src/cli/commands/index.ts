// The list of CLI commands; each module registers one command on the program.
import type { Command } from 'commander';
import { registerAttestCommand } from './attest.js';
import { registerCertCommand } from './cert.js';
import { registerConditionsCommand } from './conditions.js';
import { registerCopyCommand } from './copy.js';
import { registerDemoCommand } from './demo.js';
import { registerDiscoverCommand } from './discover.js';
import { registerInspectCommand } from './inspect.js';
import { registerJpCommand } from './jp.js';
import { registerServeCommand } from './serve.js';
import { registerSignCommand } from './sign.js';
import { registerVerifyCommand } from './verify.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDiscoverCommand,
  registerInspectCommand,
  registerCopyCommand,
  registerCertCommand,
  registerServeCommand,
  registerSignCommand,
  registerVerifyCommand,
  registerAttestCommand,
  registerDemoCommand,
  registerConditionsCommand,
  registerJpCommand,
];
