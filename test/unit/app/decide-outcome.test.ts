import { decideOutcome } from '#app/decide-outcome.ts';
import type { WorkflowState } from '#app/workflow-state.ts';
import { request } from '../functions/helpers.ts';

const evaluation = (route: 'promote' | 'rollback' | 'approve') => ({ judgement: { verdict: 'PROMOTE' as const, rules: [], reasons: ['why'], evidence: {} as never }, route, extendSeconds: 0 });
const state = (extra: Partial<WorkflowState>, onTimeout: 'approve' | 'reject' = 'reject'): WorkflowState => ({
  request: request({ approval: { timeout: '1h', onTimeout } }),
  stageIndex: 0,
  ...extra,
});

describe('decideOutcome', () => {
  it.each([
    ['the judge promotes', state({ evaluation: evaluation('promote') }), { action: 'promote', reason: 'why' }],
    ['the judge rolls back the canary', state({ evaluation: evaluation('rollback') }), { action: 'rollback', reasonCode: 'CANARY_FAILED', reason: 'why' }],
    ['the judge rolls back a later wave', state({ stageIndex: 1, evaluation: evaluation('rollback') }), { action: 'rollback', reasonCode: 'STAGE_FAILED', reason: 'why' }],
    ['an operator approves', state({ evaluation: evaluation('approve'), approval: { answer: 'approve', by: 'ops' } }), { action: 'promote', reason: 'approved by ops' }],
    ['nobody answers and the policy rejects', state({ evaluation: evaluation('approve'), approval: { answer: 'timeout', by: 'policy' } }), { action: 'rollback', reasonCode: 'APPROVAL_TIMED_OUT', reason: expect.stringContaining('rejects on timeout') }],
    ['nobody answers and the policy approves', state({ evaluation: evaluation('approve'), approval: { answer: 'timeout', by: 'policy' } }, 'approve'), { action: 'promote', reason: expect.stringContaining('approves on timeout') }],
    ['an operator rejects', state({ error: { Error: 'ApprovalRejected', Cause: '{"by":"ops","comment":"no"}' } }), { action: 'rollback', reasonCode: 'APPROVAL_REJECTED', reason: 'rejected by ops: no' }],
    ['signing failed', state({ error: { Error: 'SigningFailedError', Cause: '{"errorMessage":"revoked"}' } }), { action: 'rollback', reasonCode: 'SIGNING_FAILED', reason: 'signing failed: revoked' }],
    ['something unexpected broke', state({ evaluation: evaluation('promote'), error: { Error: 'Boom', Cause: 'plain text' } }), { action: 'rollback', reasonCode: 'RELEASE_ERROR', reason: 'Boom: plain text' }],
    ['there is nothing to decide on', state({}), { action: 'rollback', reasonCode: 'RELEASE_ERROR', reason: expect.stringContaining('nothing to decide on') }],
  ])('%s', (_what, input, expected) => {
    expect(decideOutcome(input)).toEqual(expected);
  });

  it('rolls back whatever the state says when forced (the catch-all)', () => {
    expect(decideOutcome(state({ evaluation: evaluation('promote') }), true)).toEqual(expect.objectContaining({ action: 'rollback', reasonCode: 'RELEASE_ERROR' }));
  });
});
