// statemachines/event-rules.json: only events that can end a bake early reach on-job-event. Checked with the local
// event bus's pattern matcher, the same file serverless.yml turns into EventBridge rules.
import { matchesPattern } from '#local/events/event-pattern.ts';
import { DETAIL_TYPE, RELAY_SOURCE } from '#ports/events.ts';
import { loadEventRules } from './definition.ts';

const rules = Object.values(loadEventRules());
const relayed = (eventType: 'JOB' | 'JOB_EXECUTION', operation: string) => ({ source: RELAY_SOURCE, 'detail-type': DETAIL_TYPE[eventType], detail: { eventType, operation, eventId: 'e', jobId: 'j' } });
const routed = (event: object) => rules.filter((rule) => matchesPattern(rule.pattern as never, event as never)).map((rule) => rule.target);

describe('statemachines/event-rules.json', () => {
  it.each([
    ['JOB_EXECUTION', 'failed', ['onJobEvent']],
    ['JOB_EXECUTION', 'rejected', ['onJobEvent']],
    ['JOB_EXECUTION', 'timed_out', ['onJobEvent']],
    ['JOB_EXECUTION', 'succeeded', []],
    ['JOB_EXECUTION', 'canceled', []],
    ['JOB_EXECUTION', 'removed', []],
    ['JOB', 'completed', ['onJobEvent']],
    ['JOB', 'canceled', ['onJobEvent']],
    ['JOB', 'cancellation_in_progress', []],
    ['JOB', 'deleted', []],
  ] as const)('routes a %s %s event to %j', (eventType, operation, targets) => {
    expect(routed(relayed(eventType, operation))).toEqual(targets);
  });

  it('ignores events from other sources', () => {
    expect(routed({ ...relayed('JOB', 'completed'), source: 'aws.iot' })).toEqual([]);
  });
});
