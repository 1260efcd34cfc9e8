// The IoT topic rule feeds the relay Lambda; every event it lets through is one invocation. It must pass exactly the
// events some bus rule can match (statemachines/event-rules.json): a million successes must not cost a million calls.
import { loadEventRules, loadServerlessYml } from './definition.ts';

interface TopicRule {
  Properties: { TopicRulePayload: { Sql: string } };
}

const EVENT_TYPES = { 'IoT Job Event': 'JOB', 'IoT Job Execution Event': 'JOB_EXECUTION' } as const;
/** Every operation IoT Jobs publishes (developer guide, "Jobs events"). */
const OPERATIONS = {
  JOB: ['completed', 'canceled', 'deleted', 'cancellation_in_progress', 'deletion_in_progress'],
  JOB_EXECUTION: ['succeeded', 'failed', 'rejected', 'canceled', 'timed_out', 'removed', 'deleted'],
} as const;

/** The (eventType, operation) pairs the WHERE clause admits: `(eventType = 'X' AND (operation = 'a' OR …)) OR …`. */
function admitted(sql: string): Set<string> {
  const pairs = new Set<string>();
  for (const [, type, operations] of sql.matchAll(/eventType = '(\w+)' AND \(([^)]*)\)/g)) {
    for (const [, operation] of operations!.matchAll(/operation = '(\w+)'/g)) pairs.add(`${type}/${operation}`);
  }
  return pairs;
}

/** The pairs some bus rule matches. */
function wanted(): Set<string> {
  const pairs = new Set<string>();
  for (const { pattern } of Object.values(loadEventRules())) {
    const types = (pattern['detail-type'] as Array<keyof typeof EVENT_TYPES>).map((detailType) => EVENT_TYPES[detailType]);
    const operations = (pattern.detail as { operation: string[] }).operation;
    for (const type of types) for (const operation of operations) pairs.add(`${type}/${operation}`);
  }
  return pairs;
}

describe('the IoT topic rule JobEventsTopicRule', () => {
  const sql = (loadServerlessYml() as unknown as { resources: { Resources: Record<string, TopicRule> } }).resources.Resources.JobEventsTopicRule!.Properties.TopicRulePayload.Sql;

  it('admits exactly the events the bus rules match', () => {
    expect([...admitted(sql)].sort()).toEqual([...wanted()].sort());
  });

  it.each(OPERATIONS.JOB_EXECUTION.map((operation) => [operation]))('decides JOB_EXECUTION/%s the way the bus does', (operation) => {
    expect(admitted(sql).has(`JOB_EXECUTION/${operation}`)).toBe(wanted().has(`JOB_EXECUTION/${operation}`));
  });

  it('keeps succeeded executions away from the relay Lambda', () => {
    expect(admitted(sql).has('JOB_EXECUTION/succeeded')).toBe(false);
    expect(sql).toMatch(/^SELECT \* FROM '\$aws\/events\/#' WHERE /);
  });

  it('lists only operations IoT Jobs publishes', () => {
    for (const pair of admitted(sql)) {
      const [type, operation] = pair.split('/') as [keyof typeof OPERATIONS, string];
      expect(OPERATIONS[type] as readonly string[]).toContain(operation);
    }
  });
});
