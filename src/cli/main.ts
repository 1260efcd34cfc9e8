// The `ota-release` command. Each subcommand lives in src/cli/commands/<name>.ts and exports `register(program)`.
import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { ExitCode } from './exit-codes.ts';
import { describeError } from './errors.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const COMMANDS = ['validate', 'diagram', 'start', 'status', 'list', 'approve', 'reject', 'abort', 'dashboard', 'simulate', 'agent'] as const;

export async function main(argv: string[]): Promise<number> {
  const program = new Command('ota-release')
    .description('Staged over-the-air firmware releases for AWS IoT fleets: sign, canary, bake, judge, promote or roll back.')
    .version(version, '-V, --version', 'print the version of ota-release')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError('(run with --help for usage and examples)');
  let exitCode: number = ExitCode.OK;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  for (const name of COMMANDS) {
    const module = (await import(`./commands/${name}.ts`)) as { register(program: Command, setExitCode: (code: number) => void): void };
    module.register(program, setExitCode);
  }
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors are bad input.
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
    }
    const { message, exitCode: code } = describeError(error);
    process.stderr.write(`ota-release: ${message}\n`);
    return code;
  }
}
