// `imgverify login | logout`: notation's flags; the registry code loads when one runs.
import type { Command } from 'commander';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineLoginCommands(program: Command): void {
  const login = program
    .command('login')
    .description('Log in to an OCI registry: the credentials are checked, then saved in the Docker config (--registry-config)')
    .argument('<server>', 'registry host[:port]');
  addTimeoutOption(login);
  addRegistryOptions(login);
  login.action(async (server: string, options) => {
    const { runLogin } = await import('../commands/login.js');
    process.exitCode = await runLogin(server, options);
  });
  program
    .command('logout')
    .description('Log out from a registry: its credentials are removed from the Docker config')
    .argument('<server>', 'registry host[:port]')
    .option('--registry-config <path>', 'Docker config.json to edit (default $DOCKER_CONFIG/config.json or ~/.docker/config.json)')
    .action(async (server: string, options) => {
      const { runLogout } = await import('../commands/login.js');
      process.exitCode = await runLogout(server, options);
    });
}
