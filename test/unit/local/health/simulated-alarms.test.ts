// simulate --alarm: the alarms a release's gates name are OK in the embedded cloud, and the named ones go into ALARM.
import { HealthPolicy, ReleaseRequest } from '#domain/release-request.ts';
import { LocalHealthMetrics } from '#local/health/health-metrics.ts';
import { parseAlarmTrigger, simulateAlarms } from '#local/health/simulated-alarms.ts';
import { Scheduler } from '#local/time/scheduler.ts';

const request = ReleaseRequest.parse({
  releaseId: 'r',
  product: 'p',
  firmware: { version: '2', previousVersion: '1', source: { file: 'x' } },
  fleet: { thingGroups: ['g'] },
  stages: [{ name: 'all', targets: { percent: 100 }, bake: '1h' }],
  health: HealthPolicy.parse({ gates: [{ kind: 'alarm', alarmName: 'api-5xx' }, { kind: 'alarm', alarmName: 'queue-depth' }] }),
});

describe('simulated alarms', () => {
  it('reads NAME and NAME@DURATION', () => {
    expect(parseAlarmTrigger('api-5xx')).toEqual({ name: 'api-5xx', afterSeconds: 0 });
    expect(parseAlarmTrigger('a@b@3h')).toEqual({ name: 'a@b', afterSeconds: 10_800 });
    expect(() => parseAlarmTrigger('api@soon')).toThrow('expected a duration after @');
  });

  it('makes the named alarms OK, raises the triggered one when its time comes, and refuses one no gate names', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    const health = new LocalHealthMetrics(scheduler);
    simulateAlarms(health, scheduler, request, [{ name: 'api-5xx', afterSeconds: 60 }]);
    const states = async () => (await health.read({ product: 'p', treatmentVersion: '2', controlVersion: '1', from: new Date(0), to: new Date(1), periodSeconds: 60, alarmNames: ['api-5xx', 'queue-depth'] })).alarms.map((a) => a.state);
    expect(await states()).toEqual(['OK', 'OK']);
    await scheduler.run(() => false, 61_000).catch(() => undefined);
    expect(await states()).toEqual(['ALARM', 'OK']);
    expect(() => simulateAlarms(health, scheduler, request, [{ name: 'nope', afterSeconds: 0 }])).toThrow('--alarm nope: the release has no alarm gate on it (it names api-5xx, queue-depth)');
  });
});
