// IoT Jobs' abort criteria, checked after each execution ends.
// Documented (API AbortCriteria): thresholdPercentage is "The minimum percentage of job execution failures that must
// occur to initiate the job abort"; minNumberOfExecutedThings is "The minimum number of things which must receive
// job execution notifications before the job can be aborted"; Greengrass' IoTJobAbortCriteria restates it as
// "The percentage of failures with type failureType exceeds the thresholdPercentage".
// Reading used here, as the domain judge reads it (STYLE.md §7): the percentage is over executions that have
// ended (succeeded, failed, rejected, timed out); the rule applies only once that many have ended; and it fires
// strictly above the threshold. A job with no targets never aborts.
import type { AbortConfig } from '#domain/iot-configs.ts';

export interface AbortCounts {
  succeeded: number;
  failed: number;
  rejected: number;
  timedOut: number;
}

export function failuresOfType(type: AbortConfig['criteriaList'][number]['failureType'], counts: AbortCounts): number {
  switch (type) {
    case 'FAILED':
      return counts.failed;
    case 'REJECTED':
      return counts.rejected;
    case 'TIMED_OUT':
      return counts.timedOut;
    case 'ALL':
      return counts.failed + counts.rejected + counts.timedOut;
  }
}

/** The first criterion that fires, or undefined. */
export function firedAbortCriterion(config: AbortConfig | undefined, counts: AbortCounts) {
  if (!config) return undefined;
  const executed = counts.succeeded + counts.failed + counts.rejected + counts.timedOut;
  if (executed === 0) return undefined;
  return config.criteriaList.find((criterion) => {
    if (executed < criterion.minNumberOfExecutedThings) return false;
    return (failuresOfType(criterion.failureType, counts) / executed) * 100 > criterion.thresholdPercentage;
  });
}
