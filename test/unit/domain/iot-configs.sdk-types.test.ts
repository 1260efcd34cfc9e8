// Compile-time proof that the domain's JobConfigs fit the SDK's CreateJob input: if @aws-sdk/client-iot changes a
// shape, `npm run typecheck` fails here. The domain itself never imports the SDK.
import type { CreateJobCommandInput } from '@aws-sdk/client-iot';
import { toJobConfigs, type JobConfigs } from '#domain/iot-configs.ts';
import { aRequest } from './support/requests.ts';

type SdkConfigs = Required<Pick<CreateJobCommandInput, 'jobExecutionsRolloutConfig' | 'abortConfig' | 'timeoutConfig'>> &
  Pick<CreateJobCommandInput, 'jobExecutionsRetryConfig'>;

/** Fails to compile unless JobConfigs is assignable to the SDK pieces. */
function asSdkConfigs(configs: JobConfigs): SdkConfigs {
  return configs;
}

describe('JobConfigs and @aws-sdk/client-iot', () => {
  it('is assignable to CreateJobCommandInput pieces', () => {
    const request = aRequest({
      stages: [{ name: 'wave', targets: { percent: 100 }, bake: '1h', rollout: { exponential: { baseRatePerMinute: 20, incrementFactor: 1.5, rateIncrease: { notifiedThings: 200 } } } }],
      safetyNet: { retries: [{ failureType: 'ALL', numberOfRetries: 3 }] },
    });
    const sdk: Partial<CreateJobCommandInput> = { jobId: 'gw-s0', ...asSdkConfigs(toJobConfigs(request, 0)) };
    expect(sdk.jobExecutionsRolloutConfig?.exponentialRate?.rateIncreaseCriteria).toEqual({ numberOfNotifiedThings: 200 });
    expect(sdk.abortConfig?.criteriaList?.[0]?.action).toBe('CANCEL');
  });
});
