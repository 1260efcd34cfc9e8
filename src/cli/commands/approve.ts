// `ota-release approve RELEASE`: answers the approval a release waits for, so its workflow goes on.
import type { Command } from 'commander';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, runOperator } from '../target/run.ts';
import { answer } from '../target/answer.ts';

interface ApproveOptions extends CommonOptions {
  comment?: string;
  by?: string;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('approve').description('approve the promotion a release waits for (recorded with who, when and the evidence seen)'))
    .argument('<release>', 'the release id')
    .option('--comment <text>', 'a note kept with the decision')
    .option('--by <name>', 'who answers (default: cli:<your user>; on AWS your IAM identity is recorded too)')
    .addHelpText('after', `
Exit status: 0 approved; 2 refused (not waiting, already answered, expired, unknown release); 1 unexpected error.

Examples:
  $ ota-release status fw-2-4-0          # look at the evidence first
  $ ota-release approve fw-2-4-0 --comment "canary clean, 0 boot failures"
  $ ota-release approve fw-2-4-0 --aws --stage prod --json`)
    .action((releaseId: string, options: ApproveOptions) =>
      runOperator(options, deps, setExitCode, (operations, io) => answer(operations, io, options, { releaseId, answer: 'approve', ...(options.comment && { comment: options.comment }) })),
    );
}
