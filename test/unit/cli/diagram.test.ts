import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.ts';

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ota-diagram-')), name);
  writeFileSync(file, text);
  return file;
}

describe('ota-release diagram', () => {
  it('prints the staged-release workflow as Mermaid', async () => {
    const { code, out } = await runCli('diagram');

    expect(code).toBe(0);
    expect(out).toMatch(/^stateDiagram-v2\n {2}\[\*\] --> Prepare\n/);
  });

  it.each([
    ['a missing file', () => '/nonexistent/sm.asl.json', /^ota-release: cannot read \/nonexistent\/sm\.asl\.json \(ENOENT\)\n$/],
    ['a file that is not JSON', () => tempFile('notes.md', '# notes'), /is not JSON: /],
    ['JSON that is not a state machine', () => tempFile('package.json', '{"name":"x"}'), /is not a state machine definition: it needs StartAt and States\n$/],
  ])('refuses %s in one line with exit status 2', async (_what, file, message) => {
    const { code, out, err } = await runCli('diagram', file());

    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });
});

describe('ota-release --version', () => {
  it('prints the package version', async () => {
    const { code, out } = await runCli('--version');

    expect(code).toBe(0);
    expect(out).toBe('0.2.0\n');
  });
});
