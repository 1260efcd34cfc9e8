// Who answers the workflow's approval callback in a local run (`--approve`):
// - auto / reject: answered at once, as an operator who always says yes / no;
// - prompt: asked in the terminal with the evidence; the virtual clock holds while the person reads;
// - external: the clock holds until an answer arrives through the local ports (the control server or a test calls
//   the answer-approval use case); nothing is answered here.
// Answers go through the same answer-approval use case the CLI and the approval API use.
import { answerApproval } from '#app/answer-approval.ts';
import type { ApprovalRequest } from '#ports/notifier.ts';
import type { Ports } from '#ports/index.ts';
import type { LocalNotifier } from './adapters/local-notifier.ts';
import type { Scheduler } from './time/scheduler.ts';
import type { TaskTokens } from './workflow/task-tokens.ts';

export const APPROVE_MODES = ['auto', 'reject', 'prompt', 'external'] as const;
export type ApproveMode = (typeof APPROVE_MODES)[number];

export type Answer = 'approve' | 'reject';
export type PromptApproval = (request: ApprovalRequest) => Promise<{ answer: Answer; comment?: string }>;

export interface AnswerInput {
  releaseId: string;
  answer: Answer;
  by: string;
  via: 'cli' | 'dashboard' | 'api';
  comment?: string;
}

/** The answer-approval use case: the same path the CLI, the dashboard and the approval API take. */
export async function answerWithUseCase(ports: Ports, input: AnswerInput): Promise<void> {
  await answerApproval(ports, input);
}

export function wireApprovals(options: {
  mode: ApproveMode;
  notifier: LocalNotifier;
  ports: Ports;
  scheduler: Scheduler;
  tokens: TaskTokens;
  prompt?: PromptApproval;
  answer?: (input: AnswerInput) => Promise<void>;
}): void {
  const { mode, notifier, ports, scheduler, tokens } = options;
  const answer = options.answer ?? ((input: AnswerInput) => answerWithUseCase(ports, input));
  notifier.onApprovalRequested((request) => {
    if (mode === 'auto' || mode === 'reject') {
      // After the handler returns and the task parks: the answer comes "a moment later".
      scheduler.after(0, () => answer({ releaseId: request.releaseId, answer: mode === 'auto' ? 'approve' : 'reject', by: `simulate --approve ${mode}`, via: 'cli' }));
      return;
    }
    // prompt and external: hold time until the approval task closes (answered, or the release stopped).
    const release = scheduler.hold();
    void holdUntilClosed(ports, tokens, request, release).then(async () => {
      if (mode !== 'prompt' || !options.prompt) return;
      const reply = await options.prompt(request);
      await answer({ releaseId: request.releaseId, answer: reply.answer, by: process.env.USER ?? 'operator', via: 'cli', ...(reply.comment ? { comment: reply.comment } : {}) });
    });
  });
}

/** The approval token is stored before operators are notified; once it closes, time may move again. */
async function holdUntilClosed(ports: Ports, tokens: TaskTokens, request: ApprovalRequest, release: () => void): Promise<void> {
  const task = await ports.store.getPendingTask(request.releaseId, 'approval');
  if (!task) {
    release();
    return;
  }
  tokens.onClosed(task.token, release);
}
