// What approve and reject share: who answers, the one-line answer, and the exit status.
import type { ApprovalAnswer, ReleaseOperations } from '#local/control/operations.ts';
import { ExitCode } from '../exit-codes.ts';
import { type OperatorIo, defaultOperator, printJson } from './run.ts';

export async function answer(
  operations: ReleaseOperations,
  io: OperatorIo,
  options: { by?: string; json?: boolean },
  input: Omit<ApprovalAnswer, 'by' | 'via'>,
): Promise<number> {
  const result = await operations.answerApproval({ ...input, by: options.by ?? defaultOperator(io.env), via: 'cli' });
  if (options.json) printJson(io, result);
  else if (result.answered) io.out(`${result.message}\n`);
  else io.err(`ota-release: ${result.message}\n`);
  return result.answered ? ExitCode.OK : ExitCode.BAD_INPUT;
}
