// `ota-release reject RELEASE --wave WAVE --reason`: refuses the promotion a release waits for; the workflow rolls
// back. Like approve, the answer is bound to one wave.
import type { Command } from 'commander';
import { type CommonOptions, addTargetOptions } from '../target/options.ts';
import { type OperatorDeps, defaultDeps, runOperator } from '../target/run.ts';
import { answer } from '../target/answer.ts';

interface RejectOptions extends CommonOptions {
  reason: string;
  by?: string;
  wave?: string;
}

export function register(program: Command, setExitCode: (code: number) => void, deps: OperatorDeps = defaultDeps()): void {
  addTargetOptions(program.command('reject').description('reject the promotion a release waits for: the release rolls back'))
    .argument('<release>', 'the release id')
    .usage('[options] --reason <text> <release>')
    .requiredOption('--reason <text>', 'required: why (kept with the decision and shown to everyone who looks)')
    .option('--wave <name|number>', 'the wave you reject, by name or by its number in status (1 = first); refused if the release waits at another wave')
    .option('--by <name>', 'who answers (default: cli:<your user>; on AWS your IAM identity is recorded too)')
    .addHelpText('after', `
Without --wave, on a terminal: shows the waiting wave and its verdict with the evidence, and asks to confirm
(only y rejects). Without --wave and without a terminal (scripts, CI): refused.

Exit status: 0 rejected; 2 refused (another wave waits, not waiting, already answered, expired, unknown release,
no --wave in a script, not confirmed); 1 unexpected error.

Examples:
  $ ota-release reject gateway-2-4-0 --wave canary --reason "boot loops on rev-B boards"
  $ ota-release reject gateway-2-4-0 --reason "field reports"          # on a terminal: shows the waiting wave, asks
  $ ota-release reject gateway-2-4-0 --wave 2 --reason "field reports" --aws --stage prod`)
    .action((releaseId: string, options: RejectOptions) =>
      runOperator(options, deps, setExitCode, (operations, io) => answer(operations, io, options, { releaseId, answer: 'reject', comment: options.reason })),
    );
}
