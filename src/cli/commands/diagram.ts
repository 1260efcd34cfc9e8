// `ota-release diagram`: the staged-release workflow as a Mermaid state diagram, generated from its ASL file.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { aslToMermaid } from '../asl-diagram.ts';
import { BadInputError } from '../errors.ts';
import { packageFile } from '../../package-files.ts';

export const DEFAULT_ASL = packageFile('statemachines/staged-release.asl.json');

export function register(program: Command): void {
  program
    .command('diagram')
    .description('print the staged-release workflow as a Mermaid state diagram, generated from its ASL file')
    .argument('[asl-file]', 'a state machine definition (default: statemachines/staged-release.asl.json)')
    .addHelpText('after', '\nExamples:\n  $ ota-release diagram > workflow.mmd\n  $ ota-release diagram my-fork.asl.json')
    .action(async (file?: string) => {
      process.stdout.write(`${aslToMermaid(await readDefinition(file ?? DEFAULT_ASL))}\n`);
    });
}

async function readDefinition(file: string | URL) {
  const name = typeof file === 'string' ? file : file.pathname;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInputError(`cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw new BadInputError(`${name} is not JSON: ${(error as Error).message}`);
  }
  const { StartAt, States } = (definition ?? {}) as { StartAt?: unknown; States?: unknown };
  if (typeof StartAt !== 'string' || typeof States !== 'object' || States === null) {
    throw new BadInputError(`${name} is not a state machine definition: it needs StartAt and States`);
  }
  return definition as Parameters<typeof aslToMermaid>[0];
}
