// The mid-bake look asks exactly what evaluate-metrics asks: with health gates the install test runs at its share of
// the error budget there too, or a bake ended "on decisive failures" would be judged not decisive, start again and end
// at once, forever (seen as a release that failed instead of rolling back, before this was shared).
import { BakeEndReason, earlyBakeEnd } from '#app/bake-end.ts';
import { HealthPolicy } from '#domain/release-request.ts';
import type { JobSnapshot } from '#ports/fleet-jobs.ts';

// 5 failures in 26 reports: decisive at 90 % (ln Λ 2.33 ≥ ln 10), not at 96.67 % (< ln 30).
const snapshot: JobSnapshot = { jobId: 'r-s0', status: 'IN_PROGRESS', counts: { targeted: 100, succeeded: 21, failed: 5, rejected: 0, timedOut: 0, canceled: 0, removed: 0, inProgress: 10, queued: 64 } };
const policy = (gates: unknown[]) => HealthPolicy.parse({ maxFailureRate: '5%', unacceptableFailureRate: '10%', confidence: 0.9, gates });

describe('earlyBakeEnd', () => {
  it('ends the bake on decisive failures at the whole budget when there are no gates', () => {
    expect(earlyBakeEnd(snapshot, 100, policy([]), true)).toBe(BakeEndReason.FAILURES_DECISIVE);
  });

  it('asks the install test at its share of the budget when gates share it', () => {
    expect(earlyBakeEnd(snapshot, 100, policy([{ kind: 'rate', metric: 'crashes', maxRatio: 1.2 }, { kind: 'silence' }]), true)).toBeUndefined();
  });
});
