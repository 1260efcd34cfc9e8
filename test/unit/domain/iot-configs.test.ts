import { toAbortConfig, toJobConfigs, toRetryConfig, toRolloutConfig, toTimeoutConfig } from '#domain/iot-configs.ts';
import { aRequest } from './support/requests.ts';

describe('toJobConfigs', () => {
  it('builds the configs of a stage from its rollout and the release safety net', () => {
    const request = aRequest({
      stages: [{ name: 'all', targets: { percent: 100 }, bake: '2h', rollout: { maximumPerMinute: 50 } }],
      safetyNet: {
        abort: [{ failureType: 'ALL', thresholdPercentage: 12.5, minNumberOfExecutedThings: 20 }],
        inProgressTimeout: '45m',
        retries: [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }],
      },
    });
    expect(toJobConfigs(request, 0)).toEqual({
      jobExecutionsRolloutConfig: { maximumPerMinute: 50 },
      abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 12.5, minNumberOfExecutedThings: 20 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 45 },
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 2 }] },
    });
  });

  it('leaves the retry config out when the safety net has no retries', () => {
    expect(toJobConfigs(aRequest(), 0)).not.toHaveProperty('jobExecutionsRetryConfig');
  });

  it('refuses a stage that does not exist', () => {
    expect(() => toJobConfigs(aRequest(), 3)).toThrow('stage 3 does not exist (the release has 3)');
  });
});

describe('the configs stay within the documented ranges', () => {
  it.each([
    [12.345, 12.35],
    [10.999, 11],
    [0.001, 0.01],
    [100, 100],
  ])('rounds thresholdPercentage %p to two decimals: %p', (given, sent) => {
    const config = toAbortConfig([{ failureType: 'FAILED', thresholdPercentage: given, minNumberOfExecutedThings: 1 }]);
    expect(config.criteriaList[0]?.thresholdPercentage).toBe(sent);
  });

  it.each([
    [1.55, 1.6],
    [1.1, 1.1],
    [5, 5],
    [2.04, 2],
  ])('rounds incrementFactor %p to one decimal: %p', (given, sent) => {
    const config = toRolloutConfig({ exponential: { baseRatePerMinute: 10, incrementFactor: given, rateIncrease: { notifiedThings: 100 } } });
    expect(config.exponentialRate?.incrementFactor).toBe(sent);
  });

  it('maps the rate-increase criterion to the IoT name', () => {
    expect(toRolloutConfig({ exponential: { baseRatePerMinute: 10, incrementFactor: 2, rateIncrease: { succeededThings: 50 } } })).toEqual({
      exponentialRate: { baseRatePerMinute: 10, incrementFactor: 2, rateIncreaseCriteria: { numberOfSucceededThings: 50 } },
    });
  });

  it.each([
    [30, 1],
    [60, 1],
    [61, 2],
    [3600, 60],
    [10080 * 60, 10080],
    [20000 * 60, 10080],
  ])('turns an in-progress timeout of %p s into %p minutes, rounding up within 1–10080', (seconds, minutes) => {
    expect(toTimeoutConfig(seconds)).toEqual({ inProgressTimeoutInMinutes: minutes });
  });

  it('drops retry criteria of zero and refuses more than 10 retries in total', () => {
    expect(toRetryConfig([{ failureType: 'FAILED', numberOfRetries: 0 }])).toBeUndefined();
    expect(() =>
      toRetryConfig([
        { failureType: 'FAILED', numberOfRetries: 6 },
        { failureType: 'TIMED_OUT', numberOfRetries: 5 },
      ]),
    ).toThrow('IoT Jobs allows 10 retries in total, the safety net asks for 11');
  });
});
