// The README's workflow diagram is generated from the ASL file; this keeps the committed copy in step with it.
import { readFile } from 'node:fs/promises';
import { aslToMermaid } from '#cli/asl-diagram.ts';

it('shows the current state machine in the README', async () => {
  const definition = JSON.parse(await readFile(new URL('../../../statemachines/staged-release.asl.json', import.meta.url), 'utf8'));
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');

  expect(readme).toContain(['```mermaid', aslToMermaid(definition), '```'].join('\n'));
});
