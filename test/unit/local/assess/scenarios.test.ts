import { HealthPolicy } from '#domain/release-request.ts';
import { acceptabilityOf, assessmentScenarios, defectRateOf } from '#local/assess/scenarios.ts';
import { LocalOptionsError } from '#local/errors.ts';
import { FAULT_PROFILE_NAMES, faultProfile } from '#local/fleet/fault-profiles.ts';
import { loadRelease } from '../../../integration/simulation-harness.ts';

describe('assessment scenarios', () => {
  it('are healthy, the boot-failure grid around the limit and every other fault profile', async () => {
    const request = await loadRelease();
    const names = assessmentScenarios(request).map((scenario) => scenario.name);
    expect(names.slice(0, 5)).toEqual(['healthy', 'boot-fail-0.5x', 'boot-fail-1x', 'boot-fail-2x', 'boot-fail-4x']);
    expect(names.slice(5)).toEqual(FAULT_PROFILE_NAMES.filter((name) => name !== 'healthy'));
    const grid = assessmentScenarios(request, ['boot-fail-1x', 'boot-fail-2x']);
    expect(grid.map((scenario) => [scenario.defectRate, scenario.acceptability])).toEqual([
      [0.05, 'acceptable'],
      [0.1, 'unacceptable'],
    ]);
  });

  it('add the budget defect when the release has a budget', async () => {
    const request = await loadRelease(undefined, (r) => ({ ...r, budget: { defectRate: 0.02, maxExposed: 300, probability: 0.95 } }));
    expect(assessmentScenarios(request, ['budget-defect'])[0]).toMatchObject({ defectRate: 0.02, acceptability: 'acceptable' });
  });

  it('refuse an unknown name, listing the known ones', async () => {
    const request = await loadRelease();
    expect(() => assessmentScenarios(request, ['healthy', 'nope'])).toThrow(LocalOptionsError);
    expect(() => assessmentScenarios(request, ['nope'])).toThrow(/unknown scenario "nope".*boot-fail-2x/);
  });

  it('name every unknown scenario at once, say what budget-defect needs, and run a name given twice once', async () => {
    const request = await loadRelease();
    expect(() => assessmentScenarios(request, ['healthy', 'nope', 'budget-defect'])).toThrow(/^unknown scenarios "nope", "budget-defect" \(budget-defect needs a budget: in the release file\); this release has healthy, /);
    expect(assessmentScenarios(request, ['crashy', 'healthy', 'crashy']).map((scenario) => scenario.name)).toEqual(['crashy', 'healthy']);
  });

  it('class a profile by the failures the judge counts', () => {
    expect(defectRateOf(faultProfile('healthy'))).toBe(0);
    expect(defectRateOf(faultProfile('silent-devices'))).toBe(0.15);
    expect(defectRateOf(faultProfile('stragglers'))).toBe(0); // offline devices never try
    const health = HealthPolicy.parse({ maxFailureRate: '5%', unacceptableFailureRate: '10%' });
    expect([0.05, 0.07, 0.1].map((rate) => acceptabilityOf(rate, health))).toEqual(['acceptable', 'indifferent', 'unacceptable']);
  });
});
