// A task the ASL retries waits its Retry interval on the shared clock (not the wall clock, not zero): throttled calls
// get the time AWS would give them, and the same seed gives the same run.
import { TransientError } from '#ports/errors.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { Scheduler } from '#local/time/scheduler.ts';
import { LocalWorkflow } from '#local/workflow/asl-runner.ts';
import type { LocalHandlers } from '#local/workflow/handlers.ts';
import { TaskTokens } from '#local/workflow/task-tokens.ts';

const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: { 'Fn::GetAtt': ['WorkLambdaFunction', 'Arn'] }, 'Payload.$': '$' },
      Retry: [{ ErrorEquals: ['TransientError'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 }],
      End: true,
    },
  },
};

/** Runs the one-task workflow whose handler fails `failures` times with a TransientError; returns when it was called. */
async function runWith(failures: number): Promise<{ calls: number[]; status: string }> {
  const scheduler = new Scheduler({ startMs: 0 });
  const calls: number[] = [];
  let left = failures;
  const handlers = {
    get: () => async () => {
      calls.push(scheduler.nowMs());
      if (left-- > 0) throw new TransientError('ThrottlingException');
      return { ok: true };
    },
  } as unknown as LocalHandlers;
  const workflow = new LocalWorkflow(definition, handlers, new TaskTokens(scheduler), scheduler);
  await workflow.start({ releaseId: 'r1' } as ReleaseRequest);
  const execution = workflow.execution('r1')!;
  await scheduler.run(() => execution.status !== 'RUNNING');
  return { calls, status: execution.status };
}

describe('retry intervals on the shared clock', () => {
  it('waits IntervalSeconds × BackoffRate^attempt of virtual time before each retry', async () => {
    expect(await runWith(2)).toEqual({ calls: [0, 2000, 6000], status: 'SUCCEEDED' });
  });

  it('fails once the attempts are used up, without waiting after the last', async () => {
    expect(await runWith(5)).toEqual({ calls: [0, 2000, 6000, 14000], status: 'FAILED' });
  });
});
