// `ota-release status RELEASE`: stages with live counts, verdicts with their evidence, decisions, and what the
// workflow waits for. `--watch` redraws until the release ends or needs an operator.
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ReleaseView } from '#app/describe-release.ts';
import { isTerminal } from '#domain/status.ts';
import { renderStatus } from '../render/status.ts';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, printJson, runOperator } from '../target/run.ts';
import { ExitCode } from '../exit-codes.ts';

interface StatusOptions extends CommonOptions {
  all?: boolean;
  watch?: number | true;
}

const seconds = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.2 || n > 3600) throw new InvalidArgumentError('a number of seconds between 0.2 and 3600');
  return n;
};

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps(), sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): void {
  addTargetOptions(program.command('status').description('show a release: stages, live counts, verdicts with evidence, decisions, and what it waits for'))
    .argument('<release>', 'the release id')
    .option('--all', 'show every decision (default: the latest 10)')
    .option('--watch [seconds]', 'redraw every few seconds (default 2) until the release ends or waits for an operator', seconds)
    .addHelpText('after', `
Examples:
  $ ota-release status gateway-2-4-0
  $ ota-release status gateway-2-4-0 --watch
  $ ota-release status gateway-2-4-0 --aws --stage prod --json | jq '.stages[] | {name, state, progress}'`)
    .action((releaseId: string, options: StatusOptions) =>
      runOperator(options, deps, setExitCode, async (operations, io) => {
        const intervalMs = options.watch === undefined ? 0 : (options.watch === true ? 2 : options.watch) * 1000;
        for (;;) {
          const view = await operations.describeRelease(releaseId);
          if (options.json) printJson(io, view);
          else io.out(`${intervalMs && io.terminal.color ? '\u001b[2J\u001b[H' : ''}${renderStatus(view, io.terminal, { allDecisions: options.all ?? false })}`);
          if (!intervalMs || settled(view)) return ExitCode.OK;
          await sleep(intervalMs);
        }
      }),
    );
}

/** Nothing more will happen without a person: the release ended, or it waits for an approval. */
function settled(view: ReleaseView): boolean {
  return isTerminal(view.status) || view.waitingFor?.kind === 'approval';
}
