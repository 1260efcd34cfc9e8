// One seeded stage played through the workflow's look schedule, for bench/judge: devices report one by one in a random
// order; every failure is a look (on-job-event's early check: only a rollback can come of it); the bake ends with a
// share of devices still to report, so the bake-end look extends the bake (coverage); every failure during the
// extension is a look; the extension's end is the last look. The verdict function is the judge under test.
import { Verdict } from '#domain/decision.ts';
import type { BakeProgress, JudgePolicy } from '#domain/judge.ts';
import { ZERO_COUNTS, type StageCounts } from '#domain/stage-counts.ts';
export { seeded } from '#local/fleet/random.ts';

export type VerdictOf = (counts: StageCounts, policy: JudgePolicy, progress: BakeProgress) => Verdict;

export interface StageRun {
  outcome: 'PROMOTE' | 'ROLLBACK' | 'HOLD';
  /** Devices that had reported at the look that ended the stage. */
  reports: number;
  looks: number;
}

const BAKE = 7200;
const MID_BAKE: BakeProgress = { bakedSeconds: 0, bakeSeconds: 1, extensionsUsed: 0 };

export function playStage(verdictOf: VerdictOf, policy: JudgePolicy, cohort: number, rate: number, lateShare: number, random: () => number): StageRun {
  const atBakeEnd = Math.round(cohort * (1 - lateShare));
  let failed = 0;
  let looks = 0;
  const counts = (reported: number): StageCounts => ({ ...ZERO_COUNTS, targeted: cohort, succeeded: reported - failed, failed, inProgress: cohort - reported });
  for (let reported = 1; reported <= cohort; reported++) {
    const failure = random() < rate;
    if (failure) failed++;
    if (failure) {
      looks++;
      if (verdictOf(counts(reported), policy, MID_BAKE) === Verdict.ROLLBACK) return { outcome: 'ROLLBACK', reports: reported, looks };
    }
    if (reported === atBakeEnd && reported < cohort) {
      looks++;
      const verdict = verdictOf(counts(reported), policy, { bakedSeconds: BAKE, bakeSeconds: BAKE, extensionsUsed: 0 });
      if (verdict !== Verdict.EXTEND) return { outcome: verdict === Verdict.ROLLBACK ? 'ROLLBACK' : verdict === Verdict.PROMOTE ? 'PROMOTE' : 'HOLD', reports: reported, looks };
    }
  }
  looks++;
  const last = verdictOf(counts(cohort), policy, { bakedSeconds: BAKE * 1.5, bakeSeconds: BAKE, extensionsUsed: 1 });
  return { outcome: last === Verdict.ROLLBACK ? 'ROLLBACK' : last === Verdict.PROMOTE ? 'PROMOTE' : 'HOLD', reports: cohort, looks };
}
