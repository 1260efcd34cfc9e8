// Which wave an approve / reject answers. The answer is always bound to one wave (the use case refuses it as STALE
// when the release waits at another), so a replayed command cannot approve a wave whose evidence nobody saw:
// --wave names it; on a terminal, the operator is shown the waiting wave with its evidence and confirms it; a script
// without --wave is refused.
import type { ReleaseView } from '#app/describe-release.ts';
import type { ApprovalAnswerResult, ReleaseOperations } from '#operator/operations.ts';
import { verdictLines } from '../render/status.ts';
import { releaseTime } from '../render/terminal.ts';
import type { Ask } from './ask.ts';
import { WaveError } from './errors.ts';
import type { OperatorIo } from './run.ts';

export type AnswerKind = 'approve' | 'reject';

/** The wave to bind the answer to, or the refusal to print (declined, not waiting). */
export type WaveChoice = { stageIndex: number } | { refusal: ApprovalAnswerResult };

export async function chooseWave(operations: ReleaseOperations, io: OperatorIo, releaseId: string, answer: AnswerKind, wave: string | undefined): Promise<WaveChoice> {
  if (wave !== undefined) return { stageIndex: waveIndex(await operations.describeRelease(releaseId), wave) };
  if (!io.ask) {
    const view = await operations.describeRelease(releaseId);
    const hint = view.waitingFor?.kind === 'approval' ? ` (${releaseId} waits at wave ${view.waitingFor.stageName}: --wave ${view.waitingFor.stageName})` : '';
    throw new WaveError(`name the wave you ${answer} with --wave <name|number>; without a terminal to confirm on, ota-release will not guess it${hint}`);
  }
  return confirmWaitingWave(operations, io, io.ask, releaseId, answer);
}

/** A stage name, else its number as `status` shows it (1 = the first wave). */
export function waveIndex(view: ReleaseView, wave: string): number {
  const byName = view.stages.find((stage) => stage.name === wave);
  if (byName) return byName.index;
  const number = /^\d+$/.test(wave) ? Number(wave) : Number.NaN;
  if (number >= 1 && number <= view.stages.length) return number - 1;
  const known = view.stages.map((stage) => `${stage.index + 1} ${stage.name}`).join(', ');
  throw new WaveError(`${view.releaseId} has no wave "${wave}"; its waves are ${known}`);
}

async function confirmWaitingWave(operations: ReleaseOperations, io: OperatorIo, ask: Ask, releaseId: string, answer: AnswerKind): Promise<WaveChoice> {
  const view = await operations.describeRelease(releaseId);
  const wait = view.waitingFor;
  if (wait?.kind !== 'approval') {
    return { refusal: { outcome: 'not-waiting', answered: false, message: `${releaseId} is not waiting for an approval (it is ${view.status})` } };
  }
  const lines = [
    `${releaseId} waits at wave ${wait.stageName} (${wait.stageIndex + 1} of ${view.stages.length}) for an approval; asked ${releaseTime(wait.since, view)}, expires ${releaseTime(wait.expiresAt, view)}`,
    ...(wait.evidence ? verdictLines(wait.stageName, wait.evidence, io.terminal, view) : ['  no verdict to show: the stage policy asks for a person (manual approval)']),
  ];
  io.err(`${lines.join('\n')}\n`);
  const question = answer === 'approve' ? `Approve promotion of ${wait.stageName}? [y/N] ` : `Reject promotion of ${wait.stageName} (the release rolls back)? [y/N] `;
  // Only an explicit y answers; Enter, EOF, Ctrl-C and anything else leave the release waiting.
  if ((await ask(question))?.trim().toLowerCase() !== 'y') {
    return { refusal: { outcome: 'declined', answered: false, message: `nothing was answered; ${releaseId} still waits at wave ${wait.stageName}` } };
  }
  return { stageIndex: wait.stageIndex };
}
