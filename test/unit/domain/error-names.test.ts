// Error class names are the workflow's contract (Retry on TransientError, Catch on the others), and a minifying bundler
// renames classes: every error class in src/ and functions/ writes its name in the source. The device agent's errors
// (src/device) run unbundled on devices, never reach the workflow, and keep the base class's fallback.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// A class body on its own lines, or an empty `{}` on the class line (which writes no name, so must be caught too).
const ERROR_CLASS = /^(?:export )?class (\w+) extends (\w*Error) \{(?:\}|\n((?: {2}.*\n|\n)*?)\})/gm;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join('src', 'device') ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const classes = [...sources('src'), ...sources('functions')].flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(ERROR_CLASS)].map((match) => ({ file, name: match[1]!, base: match[2]!, body: match[3] ?? '' })),
);

describe('error class names', () => {
  it('finds the error classes', () => {
    expect(classes.map((c) => c.name)).toEqual(expect.arrayContaining(['TransientError', 'InvalidTaskInputError', 'BadInputError']));
  });

  it.each(classes.filter((c) => c.name !== 'OtaReleaseError').map((c) => [c.name, c] as const))('%s writes its name in the source', (name, c) => {
    expect(c.body).toContain(`  override name = '${name}';\n`);
  });
});
