// Writes an htpasswd file with bcrypt hashes (the only kind distribution accepts) using apache2-utils.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Write `path` with one bcrypt line per user. Needs `htpasswd` (apt-get install -y apache2-utils). */
export async function writeHtpasswd(path: string, users: Record<string, string>): Promise<void> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    try {
      // -B bcrypt, -b password from the command line, -n print instead of editing a file; low cost keeps tests fast.
      const { stdout } = await run('htpasswd', ['-nbB', '-C', '4', user, password]);
      lines.push(stdout.trim());
    } catch (err) {
      throw new Error(`htpasswd failed (install it: apt-get install -y apache2-utils): ${String(err)}`);
    }
  }
  await writeFile(path, lines.join('\n') + '\n');
}

/** The `auth:` YAML of startRegistry() for htpasswd basic auth. */
export function htpasswdAuthYaml(path: string): string {
  return ['  htpasswd:', '    realm: imgverify-test', `    path: ${path}`].join('\n');
}
