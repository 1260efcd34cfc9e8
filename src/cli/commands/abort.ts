// `ota-release abort RELEASE --reason`: stops a release. The workflow stops, queued executions are cancelled,
// devices that already updated keep the new version (reject an approval instead to roll back).
import type { Command } from 'commander';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, defaultOperator, printJson, runOperator } from '../target/run.ts';
import { ExitCode } from '../exit-codes.ts';

interface AbortOptions extends CommonOptions {
  reason: string;
  force?: boolean;
  by?: string;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('abort').description('stop a release: its workflow stops and queued executions are cancelled'))
    .argument('<release>', 'the release id')
    .usage('[options] --reason <text> <release>')
    .requiredOption('--reason <text>', 'required: why (kept with the decision)')
    .option('--force', 'also cancel executions already in progress on devices (IoT Jobs force; a device mid-install may be left to recover by itself)')
    .option('--by <name>', 'who aborts (default: cli:<your user>)')
    .addHelpText('after', `
Devices that already installed the new version keep it: abort is not a rollback. Aborting an aborted release is harmless.
Exit status: 0 aborted (now or before); 2 refused (ended otherwise, rolling back, unknown release); 1 unexpected error.

Examples:
  $ ota-release abort gateway-2-4-0 --reason "wrong image uploaded"
  $ ota-release abort gateway-2-4-0 --reason "stop the line" --force --aws --stage prod`)
    .action((releaseId: string, options: AbortOptions) =>
      runOperator(options, deps, setExitCode, async (operations, io) => {
        const result = await operations.abortRelease({ releaseId, by: options.by ?? defaultOperator(io.env), reason: options.reason, ...(options.force && { force: true }) });
        const done = result.outcome === 'aborted' || (result.outcome === 'already-ended' && result.status === 'ABORTED');
        if (options.json) printJson(io, result);
        else if (done) io.out(`${result.message}\n`);
        else io.err(`ota-release: ${result.message}\n`);
        return done ? ExitCode.OK : ExitCode.BAD_INPUT;
      }),
    );
}
