// Files that ship beside the code (the workflow's ASL, its event rules, package.json, the command itself), found from
// the package root. This module is one level below the root in the sources (src/) and so is every file of the compiled
// CLI (dist/), so the same relative path serves both: the CLI runs from a checkout through tsx and from an installed
// package as compiled JavaScript.
import { fileURLToPath } from 'node:url';

const ROOT = new URL('../', import.meta.url);

/** The absolute path of a file shipped with the package, given its path from the package root. */
export function packageFile(path: string): string {
  return fileURLToPath(new URL(path, ROOT));
}
