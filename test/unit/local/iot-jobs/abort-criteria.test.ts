import { firedAbortCriterion } from '#local/iot-jobs/abort-criteria.ts';

const config = (failureType: 'FAILED' | 'REJECTED' | 'TIMED_OUT' | 'ALL', thresholdPercentage: number, minNumberOfExecutedThings: number) => ({
  criteriaList: [{ failureType, action: 'CANCEL' as const, thresholdPercentage, minNumberOfExecutedThings }],
});
const counts = (succeeded: number, failed: number, rejected = 0, timedOut = 0) => ({ succeeded, failed, rejected, timedOut });

describe('firedAbortCriterion', () => {
  it.each([
    ['does not abort exactly at the threshold', config('FAILED', 20, 10), counts(8, 2), false],
    ['aborts just above the threshold', config('FAILED', 20, 10), counts(7, 3), true],
    ['does not abort before the minimum executed', config('FAILED', 20, 10), counts(0, 9), false],
    ['aborts once the minimum is reached', config('FAILED', 20, 10), counts(1, 9), true],
    ['counts only its own failure type', config('REJECTED', 10, 5), counts(5, 5, 0), false],
    ['sums failed, rejected and timed out for ALL', config('ALL', 25, 4), counts(2, 1, 1, 1), true],
    ['never aborts a job with nothing executed', config('ALL', 0.01, 1), counts(0, 0), false],
  ])('%s', (_name, criteria, current, fires) => {
    expect(firedAbortCriterion(criteria, current) !== undefined).toBe(fires);
  });
});
