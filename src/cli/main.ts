// The `ota-release` command. Each subcommand lives in src/cli/commands/<name>.ts and exports `register(program)`;
// only the one that runs is loaded (src/cli/command-index.ts lists them all for the top-level help).
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help } from 'commander';
import { ExitCode } from './exit-codes.ts';
import { describeError } from './errors.ts';
import { COMMANDS, type CommandName, isCommandName } from './command-index.ts';
import { packageFile } from '../package-files.ts';

const EXAMPLES = `
Examples:
  $ ota-release validate examples/release.yaml                 # check a release file and print its plan
  $ ota-release simulate examples/release.yaml                 # the whole release on this machine, simulated fleet
  $ ota-release assess examples/release.yaml --runs 200        # what the policy does over many seeded fleets
  $ ota-release start examples/release.yaml                    # run it in the background (embedded cloud)
  $ ota-release status gateway-2-4-0                           # stages, counts, verdicts and what it waits for
  $ ota-release approve gateway-2-4-0 --wave 1 --comment "canary clean"
  $ ota-release reject gateway-2-4-0 --wave 1 --reason "boot loops on rev-B boards"
  $ ota-release dashboard                                      # the same in a browser
  $ ota-release start release.yaml --aws --stage prod          # against a deployed stack

Run ota-release <command> --help for a command's options and examples.`;

export async function main(argv: string[]): Promise<number> {
  const { version } = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string };
  const program = new Command('ota-release')
    .description('Staged over-the-air firmware releases for AWS IoT fleets: sign, canary, bake, judge, promote or roll back.')
    .version(version, '-V, --version', 'print the version of ota-release')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) })
    .showHelpAfterError('(run with --help for usage and examples)')
    .addHelpText('after', EXAMPLES);
  let exitCode: number = ExitCode.OK;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  const running = commandIn(argv);
  // The others are listed by name and description only: their modules stay unloaded.
  const listed = new Map<Command, string>();
  for (const [name, entry] of Object.entries(COMMANDS) as [CommandName, (typeof COMMANDS)[CommandName]][]) {
    if (name === running) (await entry.load()).register(program, setExitCode);
    else listed.set(program.command(name).description(entry.description), entry.term);
  }
  program.configureHelp({
    subcommandTerm(this: Help, command: Command) {
      return listed.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
    },
  });
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

/**
 * The command this run is for: the first word after the program's own options (which take no values), or the word
 * after `help`. Undefined for `--help`, `--version` and unknown words, which commander answers from the listing.
 */
export function commandIn(argv: string[]): CommandName | undefined {
  const words = argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const word = words[0] === 'help' ? words[1] : words[0];
  return isCommandName(word) ? word : undefined;
}
