// PromoteOrRollback: decide from the workflow state (decide-outcome.ts), then promote the stage or roll the release
// back. The catch-all state (RollBackAfterError) calls this with `forceRollback`.
import { decideOutcome } from './decide-outcome.ts';
import { promoteStage } from './promote-stage.ts';
import { type RollBackReleasePorts, rollBackRelease } from './roll-back-release.ts';
import type { StepResult, WorkflowState } from './workflow-state.ts';

export type PromoteOrRollbackPorts = RollBackReleasePorts;

export async function promoteOrRollback(ports: PromoteOrRollbackPorts, state: WorkflowState, forceRollback = false): Promise<StepResult> {
  const outcome = decideOutcome(state, forceRollback);
  return outcome.action === 'promote' ? promoteStage(ports, state, outcome.reason) : rollBackRelease(ports, state, outcome);
}
