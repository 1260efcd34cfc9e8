// `ota-release list`: the releases of a cloud, newest first.
import type { Command } from 'commander';
import { newestFirst } from '#operator/operations.ts';
import { renderList } from '../render/list.ts';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, printJson, runOperator } from '../target/run.ts';
import { ExitCode } from '../exit-codes.ts';

interface ListOptions extends CommonOptions {
  active?: boolean;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('list').description('list releases, newest first, with their status and stage'))
    .option('--active', 'only releases that have not ended')
    .addHelpText('after', `
Examples:
  $ ota-release list                           # the embedded cloud in ./.ota-release
  $ ota-release list --aws --stage prod --region eu-west-1
  $ ota-release list --active --json | jq -r '.[] | select(.awaitingApproval) | .releaseId'`)
    .action((options: ListOptions) =>
      runOperator(options, deps, setExitCode, async (operations, io) => {
        const all = [...(await operations.listReleases())].sort(newestFirst);
        const releases = options.active ? all.filter((r) => !['PROMOTED', 'ROLLED_BACK', 'ABORTED', 'FAILED'].includes(r.status)) : all;
        if (options.json) printJson(io, releases);
        else io.out(renderList(releases, operations.where, io.terminal));
        return ExitCode.OK;
      }),
    );
}
