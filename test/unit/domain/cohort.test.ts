import { COHORTS, cohortOf, cohortWaveQuery, cohortWindow, releaseOffset } from '#domain/cohort.ts';
import { cohortMatches, fleetQueryString, termCount } from '#domain/fleet-query.ts';
import { ReleaseRequest } from '#domain/release-request.ts';

const release = (releaseId = 'gw-2-4-0', percents = [1, 10, 50, 100]) =>
  ReleaseRequest.parse({
    releaseId,
    product: 'p',
    firmware: { version: '2.0.0', previousVersion: '1.0.0', source: { file: 'f.bin' } },
    fleet: { thingGroups: ['fleet-a', 'fleet-b'] },
    stages: percents.map((percent, index) => ({ name: `s${index}`, targets: { percent }, bake: '1h' })),
  });
const width = (ranges: Array<{ from: number; to: number }>) => ranges.reduce((sum, r) => sum + r.to - r.from + 1, 0);

describe('cohort windows', () => {
  it('gives a stage a window as wide as its share of the fleet, in 0.01 % cohorts', () => {
    expect(width(cohortWindow('r', 0, 1))).toBe(100);
    expect(width(cohortWindow('r', 1, 10))).toBe(900);
    expect(width(cohortWindow('r', 0, 0.005))).toBe(1); // rounded up: never thinner than one cohort
  });

  it('wraps past 9999 into two ranges that together are the window', () => {
    const releaseId = Array.from({ length: 500 }, (_, i) => `r${i}`).find((id) => releaseOffset(id) > COHORTS - 50)!;
    const ranges = cohortWindow(releaseId, 0, 1);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]!.to).toBe(COHORTS - 1);
    expect(ranges[1]!.from).toBe(0);
    expect(width(ranges)).toBe(100);
  });

  it('lays the waves of a release side by side: no cohort in two waves, every cohort in one', () => {
    const request = release();
    const seen = new Uint8Array(COHORTS);
    for (const [index] of request.stages.entries()) {
      const query = cohortWaveQuery(request, index);
      for (let cohort = 0; cohort < COHORTS; cohort++) if (cohortMatches(query, cohort)) seen[cohort]!++;
    }
    expect(seen.every((n) => n === 1)).toBe(true);
  });

  it('puts things without a cohort in the last wave only, so a fleet not yet backfilled still gets the release', () => {
    const request = release();
    expect([0, 1, 2, 3].map((index) => cohortMatches(cohortWaveQuery(request, index), undefined))).toEqual([false, false, false, true]);
  });

  it('rotates the canary per release, so no device is always first', () => {
    const canaries = ['a', 'b', 'c', 'd'].map((id) => cohortWindow(id, 0, 1)[0]!.from);
    expect(new Set(canaries).size).toBe(4);
  });

  it('spreads thing names evenly over the cohorts (the recommended provisioning)', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[Math.floor(cohortOf(`thing-${i}`) / 1000)]!++;
    for (const n of counts) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});

describe('fleet queries', () => {
  it('renders fleet-indexing syntax with zero-padded cohorts (the index compares them as strings)', () => {
    expect(fleetQueryString({ thingGroups: ['fleet-a', 'fleet-b'], cohort: { attribute: 'otaCohort', within: [{ from: 5, to: 104 }] } })).toBe(
      'thingGroupNames:(fleet-a OR fleet-b) AND attributes.otaCohort:[0005 TO 0104]',
    );
    expect(fleetQueryString({ thingGroups: ['g'], cohort: { attribute: 'c', outside: [{ from: 9990, to: 9999 }, { from: 0, to: 89 }] } })).toBe(
      'thingGroupNames:g AND NOT attributes.c:[9990 TO 9999] AND NOT attributes.c:[0000 TO 0089]',
    );
  });

  it('stays within twelve terms for the most groups a percent release may name', () => {
    const request = ReleaseRequest.parse({ ...release(), fleet: { thingGroups: Array.from({ length: 10 }, (_, i) => `g${i}`) } });
    for (const [index] of request.stages.entries()) expect(termCount(cohortWaveQuery(request, index))).toBeLessThanOrEqual(12);
  });

  it('refuses a release whose percent stages would select from more than 10 fleet groups', () => {
    const result = ReleaseRequest.safeParse({ ...release(), fleet: { thingGroups: Array.from({ length: 11 }, (_, i) => `g${i}`) } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('fleet.thingGroups');
  });
});
