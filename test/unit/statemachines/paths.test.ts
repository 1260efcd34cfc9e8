// Runs the committed ASL (aws-local-stepfunctions) with scripted tasks, to check where each outcome leads. The real
// handlers on the embedded cloud are exercised by test/integration; here only the routing is under test.
// aws-local-stepfunctions needs Promise.withResolvers (Node 22), and a test's module realm has its own Promise.
import '../../../bin/polyfills.mjs';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { loadDefinition, taskStates } from './definition.ts';

type Script = Record<string, (payload: Record<string, unknown>) => unknown>;

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

const STAGE = { index: 0, name: 'canary', jobId: 'r1-s0', targeted: 10, bakeSeconds: 60, approval: 'auto' };
const FIRMWARE = { version: '2.0.0', sha256: 'a'.repeat(64), size: 1, location: { kind: 'file', path: '/x' }, signature: {}, rollback: null, manifest: null, revertManifest: null };
const judged = (route: string) => ({ judgement: { verdict: 'X', reasons: [] }, route, extendSeconds: route === 'extend' ? 60 : 0 });

/** Tasks that succeed unless the script says otherwise: a two-stage release that is promoted all the way. */
function happy(overrides: Script = {}): Script {
  return {
    SignFirmware: () => FIRMWARE,
    CreateStageJob: (payload) => ({ ...STAGE, index: payload.stageIndex, jobId: `r1-s${String(payload.stageIndex)}` }),
    BakeWait: () => ({ reason: 'job-completed' }),
    EvaluateMetrics: () => judged('promote'),
    AwaitApproval: () => ({ answer: 'approve', by: 'ops' }),
    PromoteOrRollback: (payload) => {
      const state = payload.state as { stageIndex: number; stage: { index: number } };
      return state.stage.index === 0 ? { next: 'NEXT_STAGE', nextStageIndex: 1 } : { next: 'RELEASE_COMPLETE', nextStageIndex: 1 };
    },
    RollBackAfterError: () => ({ next: 'ROLLED_BACK', nextStageIndex: 0 }),
    ...overrides,
  };
}

async function run(script: Script, request: Record<string, unknown> = { releaseId: 'r1', approval: { timeout: 120, onTimeout: 'reject' } }) {
  const definition = loadDefinition();
  // The local engine enforces TimeoutSecondsPath with real timers; a scripted task throws States.Timeout instead.
  for (const [, state] of taskStates(definition)) delete state.TimeoutSecondsPath;
  const calls: string[] = [];
  const taskResourceLocalHandlers = Object.fromEntries(
    taskStates(definition).map(([name]) => [
      name,
      async (input: { Payload?: Record<string, unknown> }) => {
        calls.push(name);
        const output = await script[name]!(input.Payload ?? {});
        // lambda:invoke results come wrapped in Payload; a callback task's result is the callback output itself.
        return definition.States[name]!.Resource!.endsWith('.waitForTaskToken') ? output : { Payload: output };
      },
    ]),
  );
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run(request as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, retryIntervalOverrides: Object.fromEntries(taskStates(definition).map(([name]) => [name, 0])) },
    context: { Execution: { Name: 'r1' }, Task: { Token: 'token-1' } },
  });
  // The engine's event log ends with the execution's error; drain it so that error is not left unhandled.
  void (async () => {
    try {
      for await (const _log of execution.eventLogs);
    } catch {
      // the result below reports the failure
    }
  })();
  try {
    return { output: await execution.result, failedWith: undefined, calls };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    return { output: undefined, failedWith: (error.cause as Error).name, calls };
  }
}

describe('staged-release paths', () => {
  it('promotes stage after stage until the release completes', async () => {
    const { failedWith, calls } = await run(happy());

    expect(failedWith).toBeUndefined();
    expect(calls.filter((name) => name === 'CreateStageJob')).toHaveLength(2);
    expect(calls).not.toContain('RollBackAfterError');
  });

  it('bakes again when the verdict is extend, then judges again', async () => {
    const verdicts = ['extend', 'promote', 'promote'];
    const { failedWith, calls } = await run(happy({ EvaluateMetrics: () => judged(verdicts.shift()!) }));

    expect(failedWith).toBeUndefined();
    expect(calls.filter((name) => name === 'BakeWait')).toHaveLength(3);
  });

  it('goes on to judge when the bake runs its full time', async () => {
    const { failedWith, calls } = await run(happy({ BakeWait: () => Promise.reject(named('States.Timeout')) }));

    expect(failedWith).toBeUndefined();
    expect(calls).toContain('EvaluateMetrics');
  });

  it.each<[string, string, string, Script]>([
    ['the judge rolls back', 'RolledBackOnEvidence', 'PromoteOrRollback', { EvaluateMetrics: () => judged('rollback'), PromoteOrRollback: () => ({ next: 'ROLLED_BACK', nextStageIndex: 0 }) }],
    ['an operator rejects', 'RolledBackOnRejection', 'PromoteOrRollback', { EvaluateMetrics: () => judged('approve'), AwaitApproval: () => Promise.reject(named('ApprovalRejected')), PromoteOrRollback: () => ({ next: 'ROLLED_BACK', nextStageIndex: 0 }) }],
    ['nobody answers and the policy rejects', 'RolledBackOnApprovalTimeout', 'PromoteOrRollback', { EvaluateMetrics: () => judged('approve'), AwaitApproval: () => Promise.reject(named('States.Timeout')), PromoteOrRollback: () => ({ next: 'ROLLED_BACK', nextStageIndex: 0 }) }],
    ['signing fails', 'SigningFailed', 'RollBackAfterError', { SignFirmware: () => Promise.reject(named('SigningFailedError')) }],
    ['creating a job fails unexpectedly', 'RolledBackOnError', 'RollBackAfterError', { CreateStageJob: () => Promise.reject(named('InvalidTaskInputError')) }],
    ['evaluation returns an unknown route', 'RolledBackOnError', 'RollBackAfterError', { EvaluateMetrics: () => judged('sideways') }],
    ['the rollback itself fails', 'RollbackFailed', 'RollBackAfterError', { EvaluateMetrics: () => judged('rollback'), PromoteOrRollback: () => Promise.reject(named('Boom')), RollBackAfterError: () => Promise.reject(named('Boom')) }],
  ])('when %s it ends in %s, after %s', async (_why, failState, lastTask, overrides) => {
    const { failedWith, calls } = await run(happy(overrides));

    expect(failedWith).toBe(failState);
    expect(calls.at(-1)).toBe(lastTask);
  });

  it('retries a TransientError and carries on', async () => {
    let attempts = 0;
    const { failedWith } = await run(happy({ EvaluateMetrics: () => (++attempts < 3 ? Promise.reject(named('TransientError')) : judged('promote')) }));

    expect(failedWith).toBeUndefined();
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('hands PromoteOrRollback the caught error when an operator rejects', async () => {
    let seen: Record<string, unknown> | undefined;
    await run(
      happy({
        EvaluateMetrics: () => judged('approve'),
        AwaitApproval: () => Promise.reject(named('ApprovalRejected', '{"by":"ops"}')),
        PromoteOrRollback: (payload) => {
          seen = payload.state as Record<string, unknown>;
          return { next: 'ROLLED_BACK', nextStageIndex: 0 };
        },
      }),
    );

    expect(seen?.error).toEqual(expect.objectContaining({ Error: 'ApprovalRejected' }));
  });
});
