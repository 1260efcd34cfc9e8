// The IoT Jobs configs a stage's job is created with. These mirror @aws-sdk/client-iot's CreateJob input shapes
// field for field (the AWS adapter checks assignability at compile time) while keeping the domain free of the SDK.

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
