import fc from 'fast-check';
import { cumulativeCount, planStages, rankThings, selectWave, stableHash } from '#domain/wave-plan.ts';
import { aRequest } from './support/requests.ts';

const fleet = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(i).padStart(5, '0')}`);

describe('wave plan', () => {
  it('hashes the same text to the same number everywhere', () => {
    expect(stableHash('gw-2-4-0\u0000gw-00001')).toBe(stableHash('gw-2-4-0\u0000gw-00001'));
    expect(stableHash('a')).not.toBe(stableHash('b'));
    expect(Number.isSafeInteger(stableHash('anything'))).toBe(true);
  });

  it('plans cohort sizes for a 10,000-thing fleet', () => {
    const plan = planStages(aRequest(), 10000);
    expect(plan.map((stage) => [stage.name, stage.cohort])).toEqual([
      ['canary', 100],
      ['wave', 900],
      ['all', 9000],
    ]);
  });

  it.each([
    [1, 50, 1],
    [1, 10000, 100],
    [0.29, 100, 1],
    [29, 100, 29],
    [100, 7, 7],
    [0, 7, 0],
  ])('reaches ceil(%p %% of %p) = %p things', (percent, size, expected) => {
    expect(cumulativeCount(percent, size)).toBe(expected);
  });

  it('gives an empty stage when a tiny fleet runs out', () => {
    const request = aRequest({ stages: [{ name: 'a', targets: { percent: 1 }, bake: '1h' }, { name: 'b', targets: { percent: 100 }, bake: '1h' }] });
    expect(planStages(request, 1).map((s) => s.cohort)).toEqual([1, 0]);
  });

  it('leaves thing-group stages unsized', () => {
    const request = aRequest({ stages: [{ name: 'lab', targets: { thingGroups: ['lab'] }, bake: '1h' }, { name: 'all', targets: { percent: 100 }, bake: '1h' }] });
    expect(planStages(request, 100)).toEqual([
      { index: 0, name: 'lab', kind: 'thingGroups', thingGroups: ['lab'], cohort: undefined },
      { index: 1, name: 'all', kind: 'percent', percent: 100, fromPercent: 0, start: 0, end: 100, cohort: 100 },
    ]);
  });

  it('picks the same wave whatever order the fleet is listed in', () => {
    const things = fleet(1000);
    const request = aRequest();
    expect(selectWave(request, 1, things)).toEqual(selectWave(request, 1, [...things].reverse()));
  });

  it('gives another release another canary', () => {
    const things = fleet(1000);
    expect(selectWave(aRequest({ releaseId: 'one' }), 0, things)).not.toEqual(selectWave(aRequest({ releaseId: 'two' }), 0, things));
  });

  it('covers the fleet exactly once across the waves, for any fleet size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.string({ minLength: 1, maxLength: 20 }), (size, releaseId) => {
        const things = fleet(size);
        const request = { ...aRequest(), releaseId };
        const waves = [0, 1, 2].map((index) => selectWave(request, index, things));
        const all = waves.flat();
        return all.length === size && new Set(all).size === size;
      }),
      { seed: 99, numRuns: 60 },
    );
  });

  it('refuses to sample a thing-group stage', () => {
    const request = aRequest({ stages: [{ name: 'lab', targets: { thingGroups: ['lab'] }, bake: '1h' }] });
    expect(() => selectWave(request, 0, fleet(3))).toThrow('stage lab targets thing groups; it is not sampled');
  });

  it('ranks duplicates once', () => {
    expect(rankThings('r', ['a', 'b', 'a'])).toHaveLength(2);
  });
});
