// Runs a plugin executable for one command: JSON on stdin, JSON on stdout, bounded output, deadline, abort.
import { spawn } from 'node:child_process';
import { NotaryError } from '../errors.js';
import { MAX_PLUGIN_OUTPUT_BYTES } from './constants.js';
import { pluginErrorResponseSchema } from './protocol.js';

export interface RunPluginOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** Keep at most `limit` bytes; report overflow instead of growing. */
class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  overflowed = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    if (this.overflowed) return;
    if (this.length + chunk.length > this.limit) {
      this.overflowed = true;
      return;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** What the plugin said on stderr with exit code 1, as a readable reason. */
function describePluginError(stderr: string): string {
  const trimmed = stderr.trim();
  if (trimmed === '') return 'no error response';
  try {
    const parsed = pluginErrorResponseSchema.safeParse(JSON.parse(trimmed));
    if (parsed.success) {
      const { errorCode, errorMessage } = parsed.data;
      return errorMessage ? `${errorCode}: ${errorMessage}` : errorCode;
    }
  } catch {
    // Not JSON: fall through to a shortened raw message.
  }
  return trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed;
}

/**
 * Execute `<executable> <command>` with `request` as JSON on stdin and return the parsed JSON
 * response. Exit code 0 is success; exit code 1 carries a JSON error response on stderr; any other
 * outcome (signal, timeout, oversized or non-JSON output) is a PLUGIN_ERROR.
 */
export async function runPluginCommand(
  pluginName: string,
  executable: string,
  command: string,
  request: unknown,
  options: RunPluginOptions,
): Promise<unknown> {
  options.signal?.throwIfAborted();
  const limit = options.maxOutputBytes ?? MAX_PLUGIN_OUTPUT_BYTES;
  const label = `plugin ${JSON.stringify(pluginName)} command ${command}`;
  return new Promise<unknown>((resolve, reject) => {
    const child = spawn(executable, [command], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      shell: false,
    });
    const stdout = new BoundedBuffer(limit);
    const stderr = new BoundedBuffer(limit);
    let settled = false;
    let timedOut = false;
    let aborted = false;

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (stdout.overflowed) kill();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (stderr.overflowed) kill();
    });
    // A plugin that exits without reading stdin makes the write fail with EPIPE: not our error.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => {
      finish(() => reject(new NotaryError('PLUGIN_ERROR', `failed to run ${label}: ${err.message}`, { cause: err })));
    });
    child.on('close', (code, signal) => {
      finish(() => {
        if (aborted) {
          reject(new NotaryError('VERIFICATION_TIMEOUT', `${label} was cancelled: the verification deadline passed`));
        } else if (stdout.overflowed || stderr.overflowed) {
          // Before the timeout: a flood that also ran out of time (a loaded machine) is still a flood.
          reject(new NotaryError('PLUGIN_ERROR', `${label} wrote more than ${limit} bytes of output`));
        } else if (timedOut) {
          reject(new NotaryError('PLUGIN_ERROR', `${label} did not answer within ${options.timeoutMs} ms`));
        } else if (code === 0) {
          try {
            resolve(JSON.parse(stdout.text()));
          } catch {
            reject(new NotaryError('PLUGIN_ERROR', `${label} did not write a JSON response on stdout`));
          }
        } else if (code === 1) {
          reject(new NotaryError('PLUGIN_ERROR', `${label} failed: ${describePluginError(stderr.text())}`));
        } else {
          const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new NotaryError('PLUGIN_ERROR', `${label} ${how}`));
        }
      });
    });
    child.stdin.end(JSON.stringify(request));
  });
}
