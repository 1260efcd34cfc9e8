// The IoT Jobs configs a stage's job is created with. These mirror @aws-sdk/client-iot's CreateJob input shapes
// field for field (test/unit/domain/iot-configs.sdk-types.test.ts checks assignability at compile time) while keeping
// the domain free of the SDK.
import type { ReleaseRequest, SafetyNet, Stage } from './release-request.ts';

export interface RolloutConfig {
  maximumPerMinute?: number;
  exponentialRate?: {
    baseRatePerMinute: number;
    incrementFactor: number;
    rateIncreaseCriteria: { numberOfNotifiedThings?: number; numberOfSucceededThings?: number };
  };
}

export interface AbortConfig {
  criteriaList: Array<{
    failureType: 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL';
    action: 'CANCEL';
    thresholdPercentage: number;
    minNumberOfExecutedThings: number;
  }>;
}

export interface TimeoutConfig {
  inProgressTimeoutInMinutes: number;
}

export interface RetryConfig {
  criteriaList: Array<{ failureType: 'FAILED' | 'TIMED_OUT' | 'ALL'; numberOfRetries: number }>;
}

export interface JobConfigs {
  jobExecutionsRolloutConfig: RolloutConfig;
  abortConfig: AbortConfig;
  timeoutConfig: TimeoutConfig;
  jobExecutionsRetryConfig?: RetryConfig;
}

/** The documented ranges of the CreateJob configs (the CreateJob API reference). */
export const IOT_LIMITS = {
  inProgressTimeoutMinutes: { min: 1, max: 10080 },
  baseRatePerMinute: { min: 1, max: 1000 },
  incrementFactor: { min: 1.1, max: 5 },
  thresholdPercentage: { min: 0.01, max: 100 },
  /** "up to 10 retries for both failure types combined". */
  totalRetries: 10,
} as const;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
/** IoT accepts two decimals (10.99, not 10.999). */
const twoDecimals = (value: number) => Math.round(value * 100) / 100;
/** IoT accepts one decimal (1.5, not 1.55). */
const oneDecimal = (value: number) => Math.round(value * 10) / 10;

type ConfigSource = Pick<ReleaseRequest, 'stages' | 'safetyNet'>;

/** The rollout, abort, timeout and retry configs of stage `stageIndex`'s job, exactly as CreateJob receives them. */
export function toJobConfigs(request: ConfigSource, stageIndex: number): JobConfigs {
  const stage = request.stages[stageIndex];
  if (!stage) throw new RangeError(`stage ${stageIndex} does not exist (the release has ${request.stages.length})`);
  const configs: JobConfigs = {
    jobExecutionsRolloutConfig: toRolloutConfig(stage.rollout),
    abortConfig: toAbortConfig(request.safetyNet.abort),
    timeoutConfig: toTimeoutConfig(request.safetyNet.inProgressTimeout),
  };
  const retry = toRetryConfig(request.safetyNet.retries);
  if (retry) configs.jobExecutionsRetryConfig = retry;
  return configs;
}

export function toRolloutConfig(rollout: Stage['rollout']): RolloutConfig {
  if ('maximumPerMinute' in rollout) return { maximumPerMinute: Math.max(1, Math.round(rollout.maximumPerMinute)) };
  const { baseRatePerMinute, incrementFactor, rateIncrease } = rollout.exponential;
  const { baseRatePerMinute: base, incrementFactor: factor } = IOT_LIMITS;
  return {
    exponentialRate: {
      baseRatePerMinute: clamp(Math.round(baseRatePerMinute), base.min, base.max),
      incrementFactor: clamp(oneDecimal(incrementFactor), factor.min, factor.max),
      rateIncreaseCriteria:
        'notifiedThings' in rateIncrease ? { numberOfNotifiedThings: rateIncrease.notifiedThings } : { numberOfSucceededThings: rateIncrease.succeededThings },
    },
  };
}

export function toAbortConfig(criteria: SafetyNet['abort']): AbortConfig {
  const { min, max } = IOT_LIMITS.thresholdPercentage;
  return {
    criteriaList: criteria.map((criterion) => ({
      failureType: criterion.failureType,
      action: 'CANCEL' as const,
      thresholdPercentage: clamp(twoDecimals(criterion.thresholdPercentage), min, max),
      minNumberOfExecutedThings: Math.max(1, Math.round(criterion.minNumberOfExecutedThings)),
    })),
  };
}

/** IoT counts the in-progress timeout in whole minutes; round up so a device never gets less time than asked. */
export function toTimeoutConfig(inProgressTimeoutSeconds: number): TimeoutConfig {
  const { min, max } = IOT_LIMITS.inProgressTimeoutMinutes;
  return { inProgressTimeoutInMinutes: clamp(Math.ceil(inProgressTimeoutSeconds / 60), min, max) };
}

/** No retries means no retry config at all (IoT wants one to two criteria when the config is present). */
export function toRetryConfig(retries: SafetyNet['retries']): RetryConfig | undefined {
  const criteria = retries.filter((retry) => retry.numberOfRetries > 0);
  if (criteria.length === 0) return undefined;
  const total = criteria.reduce((sum, retry) => sum + retry.numberOfRetries, 0);
  if (total > IOT_LIMITS.totalRetries) {
    throw new RangeError(`IoT Jobs allows ${IOT_LIMITS.totalRetries} retries in total, the safety net asks for ${total}`);
  }
  return { criteriaList: criteria.map(({ failureType, numberOfRetries }) => ({ failureType, numberOfRetries })) };
}
