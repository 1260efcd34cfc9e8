import { planRelease } from '#domain/release-plan.ts';
import { aRequest, aSignedFirmware } from './support/requests.ts';

const inputs = (fleetSize: number) => ({ fleetSize, firmware: aSignedFirmware(), releaseUrls: { firmwareUrl: 'https://cdn.example.com/a.bin' }, rollbackUrl: '', placeholders: [] });

describe('planRelease', () => {
  it('gives every stage its job id, cohort, configs and power analysis', () => {
    const plan = planRelease(aRequest(), inputs(10000));
    expect(plan.stages.map((s) => [s.jobId, s.cohort, s.power?.tooSmall])).toEqual([
      ['gw-2-4-0-s0', 100, true],
      ['gw-2-4-0-s1', 900, false],
      ['gw-2-4-0-s2', 9000, false],
    ]);
    expect(plan.jobDocuments.rollback.document.operation).toBe('firmwareRevert');
  });

  it('warns about an empty stage, a stage below the abort minimum and a timeout longer than a bake', () => {
    const request = aRequest({
      stages: [{ name: 'canary', targets: { percent: 1 }, bake: '10m' }, { name: 'all', targets: { percent: 100 }, bake: '1h' }],
    });
    const plan = planRelease(request, inputs(5));
    expect(plan.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stage canary \(1 device\) is too small: /),
        'stage canary has 1 device, fewer than the 10 executions IoT Jobs\' abort criteria wait for: only the judge can stop it',
        'the in-progress timeout (1h) is longer than the shortest bake: a device that hangs is still "in progress" when that stage is judged',
      ]),
    );
    expect(planRelease(request, inputs(1)).warnings).toContain('stage all reaches no devices in a fleet of 1, so it has nothing to judge');
  });

  it('leaves thing-group stages without a cohort or power analysis', () => {
    const plan = planRelease(aRequest({ stages: [{ name: 'lab', targets: { thingGroups: ['lab'] }, bake: '1h' }] }), inputs(100));
    expect(plan.stages[0]).not.toHaveProperty('power');
    expect(plan.stages[0]?.cohort).toBeUndefined();
  });
});
