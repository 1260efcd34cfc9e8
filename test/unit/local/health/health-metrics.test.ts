// The embedded health metrics: reports summed as the topic rule would write them, the simulated fleet's exposure
// integrated per version and phase, and per-minute draws that every read agrees on.
import { LocalHealthMetrics } from '#local/health/health-metrics.ts';
import { SimulatedHealth, poisson } from '#local/health/simulated-health.ts';
import { PeriodExposure } from '#local/health/period-exposure.ts';
import { Scheduler } from '#local/time/scheduler.ts';
import type { HealthQuery } from '#ports/health-signals.ts';

const T0 = Date.UTC(2026, 0, 1);
const query = (fromMinute: number, toMinute: number, periodSeconds = 300): HealthQuery => ({
  product: 'gw',
  treatmentVersion: '2.0.0',
  controlVersion: '1.0.0',
  from: new Date(T0 + fromMinute * 60_000),
  to: new Date(T0 + toMinute * 60_000),
  periodSeconds,
  alarmNames: ['api-errors'],
});
const report = { product: 'gw', version: '2.0.0', phase: 'steady' as const, periodSeconds: 300, uptimeSeconds: 900, crashes: 2, reboots: 1, sequence: 3 };

describe('LocalHealthMetrics', () => {
  it('sums steady reports per version, counts returns and reverts, and reports missing alarms as MISSING', async () => {
    const clock = new Scheduler({ startMs: T0 + 60_000 });
    const metrics = new LocalHealthMetrics(clock);
    metrics.record(report);
    metrics.record({ ...report, phase: 'warm-up', crashes: 9, firstSinceUpdate: true });
    metrics.record({ ...report, version: '1.0.0', crashes: 1, revertedFrom: '2.0.0' });
    const reading = await metrics.read(query(0, 10));
    expect(reading.buckets).toHaveLength(1);
    expect(reading.buckets[0]!.treatment).toEqual({ exposureSeconds: 300, crashes: 2, reboots: 1, returned: 1, reverted: 1 });
    expect(reading.buckets[0]!.control).toEqual({ exposureSeconds: 300, crashes: 1, reboots: 1, returned: 0, reverted: 0 });
    expect(reading.alarms).toEqual([{ name: 'api-errors', state: 'MISSING' }]);
    metrics.setAlarm('api-errors', 'ALARM', 'Threshold crossed');
    expect((await metrics.read(query(0, 10))).alarms[0]).toMatchObject({ state: 'ALARM', reason: 'Threshold crossed' });
  });

  it('ignores other products and versions', async () => {
    const metrics = new LocalHealthMetrics(new Scheduler({ startMs: T0 }));
    metrics.record({ ...report, product: 'other' });
    metrics.record({ ...report, version: '3.0.0' });
    expect((await metrics.read(query(0, 10))).buckets).toEqual([]);
  });
});

describe('PeriodExposure', () => {
  it('counts device-seconds per period, with changes recorded out of order', () => {
    const exposure = new PeriodExposure(0, 10_000);
    exposure.change(15_000, 2);
    exposure.change(0, 1);
    exposure.change(25_000, -3);
    expect([0, 1, 2, 3].map((period) => exposure.secondsIn(period))).toEqual([10, 10 + 2 * 5, 3 * 5, 0]);
    expect(exposure.changeIn(1)).toBe(2);
    expect(exposure.secondsIn(-1)).toBe(0);
    expect(() => exposure.change(-1, 1)).toThrow(RangeError);
  });

  it('agrees with a plain sum over the changes, whatever order they come in and however reads interleave', () => {
    let state = 7;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const period = 60_000;
    const exposure = new PeriodExposure(1_000_000, period);
    const changes: Array<[number, number]> = [];
    let clock = 1_000_000;
    const expected = (p: number) => {
      const from = 1_000_000 + p * period;
      const to = from + period;
      return changes.reduce((sum, [ms, delta]) => sum + (ms < to ? delta * (to - Math.max(ms, from)) : 0), 0) / 1000;
    };
    for (let step = 0; step < 600; step++) {
      clock += Math.floor(random() * 3) * 7_000; // ties too
      // Mostly at the clock's now, some later (a warm-up's end), some earlier (a device leaving before it).
      const roll = random();
      const ms = roll < 0.1 ? clock + Math.floor(random() * 600_000) : roll < 0.2 ? Math.max(1_000_000, clock - Math.floor(random() * 600_000)) : clock;
      const delta = random() < 0.05 ? 3 : random() < 0.5 ? 1 : -1;
      exposure.change(ms, delta);
      changes.push([ms, delta]);
      if (step % 17 === 0) {
        const p = Math.floor((random() * (clock - 1_000_000)) / period);
        expect(exposure.secondsIn(p)).toBeCloseTo(expected(p), 6);
      }
    }
    const periods = Math.ceil((clock + 700_000 - 1_000_000) / period);
    for (let p = 0; p <= periods; p++) expect(exposure.secondsIn(p)).toBeCloseTo(expected(p), 6);
  });
});

describe('SimulatedHealth', () => {
  const behaviour = { crashesPerDeviceHour: 6, rebootsPerDeviceHour: 0, crashRatio: 1, rebootRatio: 1, neverReturnRate: 0 };
  const health = (changes = behaviour) =>
    new SimulatedHealth({ devices: 10, behaviour: changes, product: 'gw', newVersion: '2.0.0', previousVersion: '1.0.0', warmUpSeconds: 600, reportEverySeconds: 300, seed: 3, startMs: T0 });

  it('moves a device from the control to the treatment, counting the treatment only after its warm-up', () => {
    const model = health();
    model.versionChanged(0, '2.0.0', T0);
    const [bucket] = model.buckets(query(0, 20, 1200));
    expect(bucket!.control.exposureSeconds).toBeCloseTo(9 * 1200);
    expect(bucket!.treatment.exposureSeconds).toBeCloseTo(600);
  });

  it('undoes what was booked when a device goes back before its warm-up ends', () => {
    const model = health();
    model.versionChanged(0, '2.0.0', T0);
    model.versionChanged(0, '1.0.0', T0 + 300_000);
    const [bucket] = model.buckets(query(0, 20, 1200));
    expect(bucket!.treatment.exposureSeconds).toBe(0);
    expect(bucket!.control.exposureSeconds).toBeCloseTo(9 * 1200 + 900);
  });

  it('answers complete minutes only, and the same minute the same way every time', () => {
    const model = health();
    const partial = model.buckets({ ...query(0, 0), to: new Date(T0 + 59_000) });
    expect(partial).toEqual([]);
    const first = model.buckets(query(0, 30, 60));
    const again = model.buckets(query(0, 30, 60));
    expect(again).toEqual(first);
    const crashes = first.reduce((sum, b) => sum + b.control.crashes, 0);
    // 10 devices × 0.5 h × 6 per device-hour = 30 expected.
    expect(crashes).toBeGreaterThan(10);
    expect(crashes).toBeLessThan(60);
  });

  it('draws the same whatever wall-clock time the simulation starts at (simulate --keep starts at the real now)', () => {
    const at = (startMs: number) => {
      const model = new SimulatedHealth({ devices: 10, behaviour, product: 'gw', newVersion: '2.0.0', previousVersion: '1.0.0', warmUpSeconds: 600, reportEverySeconds: 300, seed: 3, startMs });
      model.versionChanged(0, '2.0.0', startMs + 90_000);
      const buckets = model.buckets({ ...query(0, 0, 300), from: new Date(startMs), to: new Date(startMs + 3_600_000) });
      return buckets.map((b) => [b.control.crashes, b.treatment.crashes, Math.round(b.control.exposureSeconds)]);
    };
    expect(at(T0 + 37_123)).toEqual(at(T0));
  });

  it('lets a share of the devices never come back after SUCCEEDED', () => {
    const model = health({ ...behaviour, neverReturnRate: 1 });
    model.succeeded(0, '2.0.0', T0);
    expect(model.buckets(query(0, 30)).reduce((sum, b) => sum + b.treatment.returned, 0)).toBe(0);
    const back = health();
    back.succeeded(0, '2.0.0', T0);
    expect(back.buckets(query(0, 30)).reduce((sum, b) => sum + b.treatment.returned, 0)).toBe(1);
  });

  it('draws Poisson counts with the right mean', () => {
    let total = 0;
    for (let i = 0; i < 2000; i++) total += poisson(3.5, (i + 0.5) / 2000);
    expect(total / 2000).toBeCloseTo(3.5, 1);
    expect(poisson(0, 0.9)).toBe(0);
  });
});
