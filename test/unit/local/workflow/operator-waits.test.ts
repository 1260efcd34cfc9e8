// Operators answer approvals in real time, however long that takes, and abort releases that wait: the runner's copy
// of the definition and its task tokens must allow both.
import { readFile } from 'node:fs/promises';
import { withoutCallbackTimeouts } from '#local/workflow/asl-runner.ts';
import { TaskTokens } from '#local/workflow/task-tokens.ts';
import { Scheduler } from '#local/time/scheduler.ts';

describe('waits an operator ends', () => {
  it('gives every callback task a real-time limit far beyond a person (aws-local-stepfunctions defaults to 60 s)', async () => {
    const definition = JSON.parse(await readFile(new URL('../../../../statemachines/staged-release.asl.json', import.meta.url), 'utf8'));
    const copy = withoutCallbackTimeouts(definition) as { States: Record<string, { Resource?: string; TimeoutSeconds?: number; TimeoutSecondsPath?: string }> };
    const callbacks = Object.values(copy.States).filter((state) => String(state.Resource).endsWith('.waitForTaskToken'));

    expect(callbacks.length).toBeGreaterThan(0);
    for (const state of callbacks) {
      expect(state.TimeoutSecondsPath).toBeUndefined();
      expect(state.TimeoutSeconds).toBe(2_147_483);
    }
  });

  it('settles the wait of an execution that is stopped, so nothing of it lingers', async () => {
    const tokens = new TaskTokens(new Scheduler({ startMs: 0, mode: { kind: 'virtual' } }));
    const token = tokens.issue('release-1');
    const waiting = tokens.wait('release-1', token, undefined, { onPark: () => {}, onResume: () => {} });

    tokens.abandon('release-1');

    await expect(waiting).rejects.toMatchObject({ name: 'States.Aborted' });
    await expect(tokens.succeed(token, {})).rejects.toMatchObject({ name: 'TaskClosedError' });
  });
});
