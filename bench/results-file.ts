// bench/RESULTS.md holds one `## <name>` section per benchmark; each benchmark rewrites only its own section.
import { readFile, writeFile } from 'node:fs/promises';

export const RESULTS_FILE = new URL('./RESULTS.md', import.meta.url);
const HEADER = '# Benchmark results\n\nEach section is written by its benchmark; numbers are from the machine named in the section.\n';

/** Replaces the section that starts with `## <name>` (up to the next `## `), or appends it; `section` starts with that heading. */
export async function writeResultsSection(name: string, section: string): Promise<void> {
  const existing = await readFile(RESULTS_FILE, 'utf8').catch(() => HEADER);
  const start = existing.indexOf(`\n## ${name}\n`);
  const body = section.trimEnd();
  if (start < 0) return writeFile(RESULTS_FILE, `${existing.trimEnd()}\n\n${body}\n`);
  const end = existing.indexOf('\n## ', start + 1);
  await writeFile(RESULTS_FILE, `${existing.slice(0, start)}\n${body}\n${end < 0 ? '' : existing.slice(end)}`);
}
