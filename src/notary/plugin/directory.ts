// Plugins installed as executables under `<config dir>/plugins/<name>/notation-<name>`, and native ones registered in code.
import { constants as fsConstants } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { NotaryError } from '../errors.js';
import {
  COMMAND_GET_PLUGIN_METADATA,
  COMMAND_VERIFY_SIGNATURE,
  DEFAULT_PLUGIN_METADATA_TIMEOUT_MS,
  DEFAULT_PLUGIN_VERIFY_TIMEOUT_MS,
  PLUGIN_EXECUTABLE_PREFIX,
  PLUGIN_NAME_PATTERN,
} from './constants.js';
import { runPluginCommand } from './executable.js';
import {
  pluginMetadataSchema,
  verifySignatureResponseSchema,
  type GetMetadataRequest,
  type PluginCallOptions,
  type PluginMetadata,
  type VerificationPlugin,
  type VerificationPluginProvider,
  type VerifySignatureRequest,
  type VerifySignatureResponse,
} from './protocol.js';

export interface ExecutablePluginOptions {
  metadataTimeoutMs?: number;
  verifyTimeoutMs?: number;
  maxOutputBytes?: number;
  env?: NodeJS.ProcessEnv;
}

function zodIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** A plugin run as a process for each command (notation's CLI plugin). */
export class ExecutablePlugin implements VerificationPlugin {
  constructor(
    readonly name: string,
    readonly executable: string,
    private readonly options: ExecutablePluginOptions = {},
  ) {}

  async getMetadata(request: GetMetadataRequest, options: PluginCallOptions = {}): Promise<PluginMetadata> {
    const raw = await runPluginCommand(this.name, this.executable, COMMAND_GET_PLUGIN_METADATA, request, {
      timeoutMs: this.options.metadataTimeoutMs ?? DEFAULT_PLUGIN_METADATA_TIMEOUT_MS,
      signal: options.signal,
      maxOutputBytes: this.options.maxOutputBytes,
      env: this.options.env,
    });
    const parsed = pluginMetadataSchema.safeParse(raw);
    if (!parsed.success) {
      throw new NotaryError('PLUGIN_ERROR', `plugin ${JSON.stringify(this.name)} returned invalid metadata: ${zodIssues(parsed.error)}`);
    }
    // The install directory names the plugin; a mismatch means a misplaced or impostor binary.
    if (parsed.data.name !== this.name) {
      throw new NotaryError(
        'PLUGIN_ERROR',
        `executable name must be ${JSON.stringify(PLUGIN_EXECUTABLE_PREFIX + parsed.data.name)} instead of ${JSON.stringify(PLUGIN_EXECUTABLE_PREFIX + this.name)}: the plugin reports the name ${JSON.stringify(parsed.data.name)}`,
      );
    }
    return parsed.data;
  }

  async verifySignature(request: VerifySignatureRequest, options: PluginCallOptions = {}): Promise<VerifySignatureResponse> {
    const raw = await runPluginCommand(this.name, this.executable, COMMAND_VERIFY_SIGNATURE, request, {
      timeoutMs: this.options.verifyTimeoutMs ?? DEFAULT_PLUGIN_VERIFY_TIMEOUT_MS,
      signal: options.signal,
      maxOutputBytes: this.options.maxOutputBytes,
      env: this.options.env,
    });
    const parsed = verifySignatureResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new NotaryError('PLUGIN_ERROR', `plugin ${JSON.stringify(this.name)} returned an invalid verify-signature response: ${zodIssues(parsed.error)}`);
    }
    return parsed.data;
  }
}

/** Validate a plugin name taken from a signature before it touches the filesystem. */
export function assertPluginName(name: string): void {
  if (!PLUGIN_NAME_PATTERN.test(name) || name.includes('..')) {
    throw new NotaryError('PLUGIN_REQUIRED', `the signature names the verification plugin ${JSON.stringify(name)}, which is not a valid plugin name`);
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/**
 * The plugin directory (`$NOTATION_DIR/plugins`): a candidate is `<dir>/<name>/notation-<name>`,
 * which must be a regular file (not a symlink) that the current user may execute.
 */
export class PluginDirectory implements VerificationPluginProvider {
  constructor(
    readonly directory: string,
    private readonly options: ExecutablePluginOptions = {},
  ) {}

  async find(name: string): Promise<VerificationPlugin | undefined> {
    assertPluginName(name);
    const executable = join(this.directory, name, PLUGIN_EXECUTABLE_PREFIX + name);
    let stats;
    try {
      stats = await lstat(executable);
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
      throw new NotaryError('PLUGIN_ERROR', `cannot read plugin executable ${executable}: ${(err as Error).message}`, { cause: err });
    }
    if (stats.isSymbolicLink()) {
      throw new NotaryError('PLUGIN_ERROR', `plugin executable ${executable} is a symlink; plugins must be regular files`);
    }
    if (!stats.isFile()) {
      throw new NotaryError('PLUGIN_ERROR', `plugin executable ${executable} is not a regular file`);
    }
    try {
      await access(executable, fsConstants.X_OK);
    } catch {
      throw new NotaryError('PLUGIN_ERROR', `plugin executable ${executable} is not executable by the current user (chmod +x it)`);
    }
    return new ExecutablePlugin(name, executable, this.options);
  }
}

/** Plugins implemented in imgverify itself, by name (the hook for the native AWS Signer verifier). */
export class BuiltinPlugins implements VerificationPluginProvider {
  private readonly plugins = new Map<string, VerificationPlugin>();
  constructor(plugins: VerificationPlugin[] = []) {
    for (const plugin of plugins) this.plugins.set(plugin.name, plugin);
  }
  async find(name: string): Promise<VerificationPlugin | undefined> {
    return this.plugins.get(name);
  }
}

/** Ask providers in order; the first that has the plugin wins (built-ins before the directory). */
export class PluginProviderChain implements VerificationPluginProvider {
  constructor(private readonly providers: VerificationPluginProvider[]) {}
  async find(name: string, options?: PluginCallOptions): Promise<VerificationPlugin | undefined> {
    for (const provider of this.providers) {
      const plugin = await provider.find(name, options);
      if (plugin) return plugin;
    }
    return undefined;
  }
}
