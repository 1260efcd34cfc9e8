// `ota-release diagram`: the staged-release workflow as a Mermaid state diagram, generated from its ASL file.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { aslToMermaid } from '../asl-diagram.ts';

export const DEFAULT_ASL = new URL('../../../statemachines/staged-release.asl.json', import.meta.url);

export function register(program: Command): void {
  program
    .command('diagram')
    .description('print the staged-release workflow as a Mermaid state diagram, generated from its ASL file')
    .argument('[asl-file]', 'a state machine definition (default: statemachines/staged-release.asl.json)')
    .addHelpText('after', '\nExamples:\n  $ ota-release diagram > workflow.mmd\n  $ ota-release diagram my-fork.asl.json')
    .action(async (file?: string) => {
      const definition = JSON.parse(await readFile(file ?? DEFAULT_ASL, 'utf8'));
      process.stdout.write(`${aslToMermaid(definition)}\n`);
    });
}
