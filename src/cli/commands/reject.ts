// `ota-release reject RELEASE --reason`: refuses the promotion a release waits for; the workflow rolls back.
import type { Command } from 'commander';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, runOperator } from '../target/run.ts';
import { answer } from '../target/answer.ts';

interface RejectOptions extends CommonOptions {
  reason: string;
  by?: string;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('reject').description('reject the promotion a release waits for: the release rolls back'))
    .argument('<release>', 'the release id')
    .requiredOption('--reason <text>', 'why (kept with the decision and shown to everyone who looks)')
    .option('--by <name>', 'who answers (default: cli:<your user>; on AWS your IAM identity is recorded too)')
    .addHelpText('after', `
Exit status: 0 rejected; 2 refused (not waiting, already answered, expired, unknown release); 1 unexpected error.

Examples:
  $ ota-release reject fw-2-4-0 --reason "boot loops on rev-B boards"
  $ ota-release reject fw-2-4-0 --reason "field reports" --aws --stage prod`)
    .action((releaseId: string, options: RejectOptions) =>
      runOperator(options, deps, setExitCode, (operations, io) => answer(operations, io, options, { releaseId, answer: 'reject', comment: options.reason })),
    );
}
