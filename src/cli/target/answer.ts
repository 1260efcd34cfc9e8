// What approve and reject share: which wave the answer is for, who answers, the one-line answer, and the exit status.
import type { ApprovalAnswerResult, ReleaseOperations } from '#operator/operations.ts';
import { ExitCode } from '../exit-codes.ts';
import { type OperatorIo, defaultOperator, printJson } from './run.ts';
import { type AnswerKind, chooseWave } from './wave.ts';

export interface AnswerOptions {
  by?: string;
  json?: boolean;
  /** The wave the operator answers for: a name or a number as `status` shows it. */
  wave?: string;
}

export async function answer(
  operations: ReleaseOperations,
  io: OperatorIo,
  options: AnswerOptions,
  input: { releaseId: string; answer: AnswerKind; comment?: string },
): Promise<number> {
  const wave = await chooseWave(operations, io, input.releaseId, input.answer, options.wave);
  const result = 'refusal' in wave ? wave.refusal : await operations.answerApproval({ ...input, stageIndex: wave.stageIndex, by: options.by ?? defaultOperator(io.env), via: 'cli' });
  return report(io, options, result);
}

function report(io: OperatorIo, options: AnswerOptions, result: ApprovalAnswerResult): number {
  if (options.json) printJson(io, result);
  else if (result.answered) io.out(`${result.message}\n`);
  else io.err(`ota-release: ${result.message}\n`);
  return result.answered ? ExitCode.OK : ExitCode.BAD_INPUT;
}
