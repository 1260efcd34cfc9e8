// The promise the confidence makes, measured: seeded stages played through the workflow's looks (every failure, then
// the end), judged by the real judge. A wrong call more often than 1 − confidence plus sampling noise fails the test.
import { Verdict } from '#domain/decision.ts';
import { judge, type BakeProgress, type JudgePolicy } from '#domain/judge.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import { seeded } from '#local/fleet/random.ts';
import { aPolicy, counts } from './support/requests.ts';

const STAGES = 2000;
const COHORT = 200;
const MID_BAKE: BakeProgress = { bakedSeconds: 0, bakeSeconds: 1, extensionsUsed: 0 };
const BAKED: BakeProgress = { bakedSeconds: 1, bakeSeconds: 1, extensionsUsed: 0 };
// The statistical rule alone: the hard line is an IoT-style plain rate and makes no promise.
const policy = aPolicy({ maxFailureRate: 0.05, unacceptableFailureRate: 0.1, confidence: 0.9, minExecuted: 20, hardFailureRate: 1, inconclusive: 'hold' });
const ALPHA = 1 - policy.confidence;
const NOISE = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / STAGES);

type VerdictOf = (c: StageCounts, p: JudgePolicy, progress: BakeProgress) => Verdict;
const realJudge: VerdictOf = (c, p, progress) => judge(c, p, progress).verdict;

/** Share of stages rolled back and promoted when every device fails with `rate`. */
function play(verdictOf: VerdictOf, rate: number, seed: number): { rollback: number; promote: number } {
  const random = seeded(seed);
  let rollback = 0;
  let promote = 0;
  for (let stage = 0; stage < STAGES; stage++) {
    let failed = 0;
    let ended: Verdict | undefined;
    for (let reported = 1; reported <= COHORT && !ended; reported++) {
      if (random() >= rate) continue;
      failed++;
      const verdict = verdictOf(counts({ targeted: COHORT, succeeded: reported - failed, failed, inProgress: COHORT - reported }), policy, MID_BAKE);
      if (verdict === Verdict.ROLLBACK) ended = verdict;
    }
    ended ??= verdictOf(counts({ succeeded: COHORT - failed, failed }), policy, BAKED);
    if (ended === Verdict.ROLLBACK) rollback++;
    if (ended === Verdict.PROMOTE) promote++;
  }
  return { rollback: rollback / STAGES, promote: promote / STAGES };
}

describe('the judge over every look (seeded Monte Carlo)', () => {
  it('rolls back a stage failing at the acceptable rate no more often than 1 − confidence', () => {
    expect(play(realJudge, policy.maxFailureRate, 1).rollback).toBeLessThanOrEqual(ALPHA + NOISE);
  });

  it('promotes a stage failing at the unacceptable rate no more often than 1 − confidence', () => {
    expect(play(realJudge, policy.unacceptableFailureRate, 2).promote).toBeLessThanOrEqual(ALPHA + NOISE);
  });

  it('still catches a real defect: four times the limit is rolled back almost always', () => {
    expect(play(realJudge, 4 * policy.maxFailureRate, 3).rollback).toBeGreaterThan(0.99);
  });

  it('would catch a judge that asks a one-look test at every failure (this harness can fail)', () => {
    // A one-sided z-test at 90 %, asked afresh at each look: right once, wrong over many looks.
    const z = 1.2816;
    const perLook: VerdictOf = (c, p, progress) => {
      const n = c.succeeded + c.failed;
      if (n < p.minExecuted) return realJudge(c, p, progress);
      const rate = c.failed / n;
      return rate - z * Math.sqrt((p.maxFailureRate * (1 - p.maxFailureRate)) / n) > p.maxFailureRate ? Verdict.ROLLBACK : realJudge(c, p, progress);
    };
    expect(play(perLook, policy.maxFailureRate, 1).rollback).toBeGreaterThan(ALPHA + NOISE);
  });
});
