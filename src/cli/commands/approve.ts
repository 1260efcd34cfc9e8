// `ota-release approve RELEASE --wave WAVE`: answers the approval a release waits for, so its workflow goes on. The
// answer is bound to one wave: a replayed command refuses instead of approving the next wave.
import type { Command } from 'commander';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, runOperator } from '../target/run.ts';
import { answer } from '../target/answer.ts';

interface ApproveOptions extends CommonOptions {
  comment?: string;
  by?: string;
  wave?: string;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('approve').description('approve the promotion a release waits for (recorded with who, when and the evidence seen)'))
    .argument('<release>', 'the release id')
    .option('--wave <name|number>', 'the wave you approve, by name or by its number in status (1 = first); refused if the release waits at another wave')
    .option('--comment <text>', 'a note kept with the decision')
    .option('--by <name>', 'who answers (default: cli:<your user>; on AWS your IAM identity is recorded too)')
    .addHelpText('after', `
Without --wave, on a terminal: shows the waiting wave and its verdict with the evidence, and asks
"Approve promotion of <wave>? [y/N]" (only y approves). Without --wave and without a terminal (scripts, CI): refused.

Exit status: 0 approved; 2 refused (another wave waits, not waiting, already answered, expired, unknown release,
no --wave in a script, not confirmed); 1 unexpected error.

Examples:
  $ ota-release status gateway-2-4-0                      # look at the evidence first
  $ ota-release approve gateway-2-4-0 --wave canary --comment "canary clean, 0 boot failures"
  $ ota-release approve gateway-2-4-0                     # on a terminal: shows the waiting wave, asks to confirm
  $ ota-release approve gateway-2-4-0 --wave 2 --aws --stage prod --json`)
    .action((releaseId: string, options: ApproveOptions) =>
      runOperator(options, deps, setExitCode, (operations, io) => answer(operations, io, options, { releaseId, answer: 'approve', ...(options.comment && { comment: options.comment }) })),
    );
}
