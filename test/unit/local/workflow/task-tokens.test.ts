import { jest } from '@jest/globals';
import { Scheduler } from '#local/time/scheduler.ts';
import { TaskTokens } from '#local/workflow/task-tokens.ts';

function setup() {
  const scheduler = new Scheduler({ startMs: 0 });
  const tokens = new TaskTokens(scheduler);
  const hooks = { onPark: jest.fn(), onResume: jest.fn() };
  return { scheduler, tokens, hooks };
}

describe('TaskTokens', () => {
  it('resumes a wait with the SendTaskSuccess output', async () => {
    const { tokens, hooks } = setup();
    const token = tokens.issue('r1');
    const waiting = tokens.wait('r1', token, 60, hooks);
    await tokens.succeed(token, { reason: 'JOB_COMPLETED' });
    await expect(waiting).resolves.toEqual({ reason: 'JOB_COMPLETED' });
    expect(hooks.onResume).toHaveBeenCalledTimes(1);
  });

  it('fails a wait with the error name the ASL catches', async () => {
    const { tokens, hooks } = setup();
    const token = tokens.issue('r1');
    const waiting = tokens.wait('r1', token, undefined, hooks);
    await tokens.fail(token, 'ApprovalRejected', 'no');
    await expect(waiting).rejects.toMatchObject({ name: 'ApprovalRejected', message: 'no' });
  });

  it('ends a wait with States.Timeout on the virtual clock', async () => {
    const { scheduler, tokens, hooks } = setup();
    const token = tokens.issue('r1');
    const waiting = tokens.wait('r1', token, 7200, hooks);
    const outcome = waiting.catch((error: Error) => error.name);
    await scheduler.run(() => !tokens.isOpen(token));
    await expect(outcome).resolves.toBe('States.Timeout');
    expect(scheduler.nowMs()).toBe(7_200_000);
  });

  it('answers a second use of a token with TaskClosedError, and a made-up token with InvalidTokenError', async () => {
    const { tokens, hooks } = setup();
    const token = tokens.issue('r1');
    void tokens.wait('r1', token, 60, hooks);
    await tokens.succeed(token, {});
    await expect(tokens.succeed(token, {})).rejects.toMatchObject({ name: 'TaskClosedError' });
    await expect(tokens.succeed('forged', {})).rejects.toMatchObject({ name: 'InvalidTokenError' });
  });
});
