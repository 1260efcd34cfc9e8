import { budgetWarnings } from '#domain/blast-radius-budget.ts';
import { InvalidReleaseError } from '#domain/errors.ts';
import { validateRelease } from '#domain/release-file.ts';
import { HealthPolicy } from '#domain/release-request.ts';

const base = {
  releaseId: 'r1',
  product: 'gw',
  firmware: { version: '2.0.0', previousVersion: '1.0.0', source: { file: 'fw.bin' } },
  fleet: { thingGroups: ['fleet'] },
  stages: [
    { name: 'canary', targets: { percent: 1 }, bake: '2h' },
    { name: 'all', targets: { percent: 100 }, bake: '2h' },
  ],
};

function problemsOf(input: unknown): string[] {
  try {
    validateRelease(input);
    return [];
  } catch (error) {
    if (error instanceof InvalidReleaseError) return error.problems;
    throw error;
  }
}

describe('blast-radius budget in the release file', () => {
  it('parses rates, counts and durations as people write them, with 95 % by default', () => {
    const request = validateRelease({ ...base, budget: { defectRate: '2%', maxExposed: 300, healthyPromotedWithin: '3d' } });
    expect(request.budget).toEqual({ defectRate: 0.02, maxExposed: 300, probability: 0.95, healthyPromotedWithin: 3 * 86400 });
  });

  it('is optional', () => {
    expect(validateRelease(base).budget).toBeUndefined();
  });

  it.each([
    [{ defectRate: '0%', maxExposed: 10 }, 'budget.defectRate'],
    [{ defectRate: '2%', maxExposed: -1 }, 'budget.maxExposed'],
    [{ defectRate: '2%', maxExposed: 10, probability: '100%' }, 'budget.probability'],
    [{ defectRate: '2%', maxExposed: 10, healthyPromotedWithin: 'soon' }, 'budget.healthyPromotedWithin'],
    [{ defectRate: '2%', maxExposed: 10, devices: 5 }, 'budget'],
    [{ maxExposed: 10 }, 'budget.defectRate'],
  ])('refuses %j with a problem at its path', (budget, path) => {
    const problems = problemsOf({ ...base, budget });
    expect(problems.some((problem) => problem.startsWith(path))).toBe(true);
  });
});

describe('budgetWarnings (validate)', () => {
  const policy = HealthPolicy.parse({ maxFailureRate: '5%', unacceptableFailureRate: '10%', confidence: 0.9, minExecuted: 20 });
  const stages = [
    { name: 'canary', cohort: 100, bakeSeconds: 7200 },
    { name: 'early', cohort: 900, bakeSeconds: 14400 },
    { name: 'all', cohort: 9000, bakeSeconds: 7200 },
  ];

  it('says nothing about a budget the plan can meet', () => {
    expect(budgetWarnings({ defectRate: 0.2, maxExposed: 500, probability: 0.95, healthyPromotedWithin: 3 * 86400 }, stages, policy)).toEqual([]);
  });

  it('warns when minExecuted alone exposes more devices than the budget allows', () => {
    const [warning] = budgetWarnings({ defectRate: 0.2, maxExposed: 10, probability: 0.95 }, stages, policy);
    expect(warning).toMatch(/cannot be met.*20 executions have ended \(minExecuted\)/);
  });

  it('warns when a defect passes the stages within the budget too often', () => {
    const [warning] = budgetWarnings({ defectRate: 0.05, maxExposed: 150, probability: 0.95 }, stages, policy);
    expect(warning).toMatch(/passes the stages up to early \(1,000 devices\) with probability/);
  });

  it('warns when the bakes alone take longer than a healthy release may', () => {
    const [warning] = budgetWarnings({ defectRate: 0.2, maxExposed: 500, probability: 0.95, healthyPromotedWithin: 6 * 3600 }, stages, policy);
    expect(warning).toMatch(/promoted after 8h at the earliest/);
  });
});
