// The version imgverify reports (`imgverify version`, `--version`); test/cli/version.test.ts keeps it equal to package.json's.
export const VERSION = '0.1.0';

/** `imgverify version`, laid out as `notation version` prints its own (values in one column). */
export function versionText(nodeVersion: string = process.version): string {
  return `imgverify - verify Notary Project signatures on OCI images.\n\nVersion:          ${VERSION}\nNode.js version:  ${nodeVersion}\n`;
}
