// One seeded run of an assessment: the same path as `simulate` (createLocalCloud: the real ASL on the local runner,
// the real handlers, the in-memory IoT Jobs, the simulated fleet) with the workflow and rules compiled once for the
// whole assessment. Manual stages are approved, as an operator who says yes. A HOLD (the judge asks a person) ends the
// run there: what a person would answer is not the policy's to know, so the run counts as held.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { SimulatedFleet } from '../fleet/simulated-fleet.ts';
import { type CloudBlueprint, createLocalCloud } from '../local-cloud.ts';
import type { Scenario } from './scenarios.ts';

export type RunOutcome = 'PROMOTED' | 'ROLLED_BACK' | 'HELD' | 'OTHER';

export interface RunResult {
  outcome: RunOutcome;
  /** The release's final status as the store has it (ABORTED, FAILED… count as OTHER). */
  status: string;
  /** Devices that ran the new version at some point (installed and booted it), rollback or not. */
  exposed: number;
  /** Virtual seconds from the start to promotion, rollback, or the hold. */
  virtualSeconds: number;
}

export interface RunSetup {
  request: ReleaseRequest;
  devices: number;
  baseDir: string;
  blueprint: CloudBlueprint;
}

/** Stops the clock at a HOLD; never escapes runOnce. */
class HeldForAPerson extends Error {
  override name = 'HeldForAPerson';
}

export async function runOnce(setup: RunSetup, scenario: Scenario, seed: number): Promise<RunResult> {
  const { request, devices } = setup;
  const fleet = new SimulatedFleet({ devices, profile: scenario.profile, seed });
  const cloud = await createLocalCloud({
    fleet,
    baseDir: setup.baseDir,
    seed,
    approve: 'auto',
    blueprint: setup.blueprint,
    delivery: { duplicateRate: scenario.profile.eventDuplicateRate, maxDelaySeconds: scenario.profile.eventDelaySeconds },
  });
  let held = false;
  cloud.notifier.onApprovalRequested((approval) => {
    if (approval.reason !== 'hold') return;
    held = true;
    cloud.scheduler.stop(new HeldForAPerson());
  });
  const started = cloud.scheduler.nowMs();
  try {
    const report = await cloud.runRelease(request);
    const outcome: RunOutcome = report.outcome === 'PROMOTED' || report.outcome === 'ROLLED_BACK' ? report.outcome : 'OTHER';
    return { outcome, status: report.outcome, exposed: report.exposure.exposed, virtualSeconds: report.virtualSeconds };
  } catch (error) {
    if (!held || !(error instanceof HeldForAPerson)) throw error;
    // The execution still waits for the approval token (with a real timer in the interpreter): end it.
    const execution = cloud.workflow.execution(request.releaseId);
    execution?.abort();
    await execution?.done;
    return { outcome: 'HELD', status: 'AWAITING_APPROVAL', exposed: fleet.stats().exposed, virtualSeconds: (cloud.scheduler.nowMs() - started) / 1000 };
  } finally {
    await cloud.close();
  }
}
