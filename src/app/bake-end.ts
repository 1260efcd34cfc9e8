// When a bake may end before its time: the job was cancelled (IoT's abort criteria or a person), it completed, or
// the failures so far are already decisive. Shared by bake-wait (a look when the wait starts, for events that came
// before the token was stored) and on-job-event (a look when an event arrives).
import { Verdict } from '#domain/decision.ts';
import { installTestPolicy } from '#domain/health-gates/gates.ts';
import { judge } from '#domain/judge.ts';
import type { HealthPolicy } from '#domain/release-request.ts';
import type { JobSnapshot } from '#ports/fleet-jobs.ts';

export const BakeEndReason = {
  /** The bake ran its full time (the ASL's timeout path writes this one). */
  TIMEOUT: 'timeout',
  JOB_COMPLETED: 'job-completed',
  JOB_CANCELED: 'job-canceled',
  FAILURES_DECISIVE: 'failures-decisive',
  /** An empty wave: no job was made, so there is nothing to wait for. */
  NO_TARGETS: 'no-targets',
} as const;
export type BakeEndReason = (typeof BakeEndReason)[keyof typeof BakeEndReason];

/**
 * Why the bake can end now, or undefined to keep waiting. `honourCompletion` is false for an extension, which is
 * waiting for time to pass, not for the job (a completed job would otherwise end every extension at once).
 */
export function earlyBakeEnd(snapshot: JobSnapshot, targeted: number, health: HealthPolicy, honourCompletion: boolean): BakeEndReason | undefined {
  if (snapshot.status === 'CANCELED') return BakeEndReason.JOB_CANCELED;
  // Mid-bake, the judge can only say ROLLBACK when the failures are decisive (the bake is never over here). It must ask
  // exactly what evaluate-metrics will ask (the install test at its share of the error budget): a bake ended on
  // failures that evaluate-metrics then finds not decisive would start a bake that ends at once, again and again.
  const midBake = judge({ ...snapshot.counts, targeted }, installTestPolicy(health), { bakedSeconds: 0, bakeSeconds: 1, extensionsUsed: 0 });
  if (midBake.verdict === Verdict.ROLLBACK) return BakeEndReason.FAILURES_DECISIVE;
  if (snapshot.status === 'COMPLETED' && honourCompletion) return BakeEndReason.JOB_COMPLETED;
  return undefined;
}
