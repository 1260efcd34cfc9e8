// The blast-radius budget a release file may state: "a defect failing at least `defectRate` of devices reaches at most
// `maxExposed` devices with probability `probability`; a healthy release is promoted within `healthyPromotedWithin`
// in that share of runs". `assess` measures it on the real workflow; `validate` says at once when the plan cannot
// meet it (`budgetWarnings`, a quick exact bound, no simulation). Pure.
import { z } from 'zod';
import { duration, formatDuration } from './duration.ts';
import { formatCount, formatLimit, formatQuantity } from './percent.ts';
import { lookScheduleOutcome, type PowerPolicy } from './power.ts';
import { fraction } from './rate-field.ts';

export const BlastRadiusBudget = z
  .strictObject({
    /** The defect the budget is about: the new version fails (boot, self-test) on this share of devices. */
    defectRate: fraction.refine((rate) => rate > 0, 'must be above 0%: a defect that fails no device is no defect'),
    /** Devices that may run the defective version (install and boot it), at most. */
    maxExposed: z.number().int().min(0),
    /** How sure: the share of runs that must keep within the budget (default 95 %). */
    probability: fraction.refine((p) => p > 0 && p < 1, 'must be between 0% and 100%, such as 95%').default(0.95),
    /** A healthy release is promoted within this long (virtual time, from the start), in `probability` of runs. */
    healthyPromotedWithin: duration({ min: 60, max: 366 * 86400 }).optional(),
  })
  .describe('blast-radius budget');
export type BlastRadiusBudget = z.infer<typeof BlastRadiusBudget>;

/** A stage as the quick check sees it: its cohort (undefined for thing-group stages, unknown before the job exists). */
export interface BudgetStage {
  name: string;
  cohort: number | undefined;
  bakeSeconds: number;
}

/**
 * What is certain to break the budget, from the plan alone. Three exact bounds, each a reason the budget cannot be met
 * whatever the simulation says:
 * - the judge rules on nothing before `minExecuted` executions have ended, and every device whose execution ended
 *   on a boot failure or a success has run the new image: more than `maxExposed` of them is over budget at once;
 * - a defect that passes stages whose cohorts add up to more than `maxExposed` is over budget; the chance it passes
 *   them is the product of each stage's promotion chance at `defectRate` (power.ts, the judge's own rules, exact);
 *   when that chance is above 1 − probability the budget fails;
 * - no stage is promoted before its bake, so a healthy release needs at least the sum of the bakes.
 */
export function budgetWarnings(budget: BlastRadiusBudget, stages: BudgetStage[], policy: PowerPolicy): string[] {
  const warnings: string[] = [];
  const limit = `at most ${formatQuantity(budget.maxExposed, 'device')} exposed to a ${formatLimit(budget.defectRate)} defect with ${formatLimit(budget.probability)} probability`;
  const firstCohort = stages[0]?.cohort;
  const beforeFirstLook = firstCohort === undefined ? policy.minExecuted : Math.min(policy.minExecuted, firstCohort);
  if (beforeFirstLook > budget.maxExposed) {
    warnings.push(`budget cannot be met (${limit}): the judge rules after ${formatCount(beforeFirstLook)} executions have ended (minExecuted), and each of them ran the new image`);
  } else {
    let passAll = 1;
    let reached = 0;
    for (const stage of stages) {
      if (stage.cohort === undefined) break; // a thing-group stage's size is known only at run time
      passAll *= lookScheduleOutcome(stage.cohort, policy, budget.defectRate).promote;
      reached += stage.cohort;
      if (reached > budget.maxExposed) {
        if (passAll > 1 - budget.probability) {
          warnings.push(
            `budget cannot be met (${limit}): a ${formatLimit(budget.defectRate)} defect passes the stages up to ${stage.name} (${formatQuantity(reached, 'device')}) with probability ${formatLimit(Number(passAll.toPrecision(2)))}, more than the ${formatLimit(Number((1 - budget.probability).toPrecision(2)))} the budget allows`,
          );
        }
        break;
      }
    }
  }
  const bakes = stages.reduce((sum, stage) => sum + stage.bakeSeconds, 0);
  if (budget.healthyPromotedWithin !== undefined && bakes > budget.healthyPromotedWithin) {
    warnings.push(`budget cannot be met: a healthy release is promoted after ${formatDuration(bakes)} at the earliest (the stages' bakes), later than healthyPromotedWithin ${formatDuration(budget.healthyPromotedWithin)}`);
  }
  return warnings;
}
