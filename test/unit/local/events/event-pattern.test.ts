import { matchesPattern } from '#local/events/event-pattern.ts';

const event = { source: 'ota-release.iot-jobs', 'detail-type': 'IoT Job Execution Event', detail: { operation: 'failed', jobId: 'r1-s0', count: 5, tags: ['a', 'b'] } };

describe('matchesPattern', () => {
  it.each([
    ['exact values, any of a list', { detail: { operation: ['failed', 'rejected'] } }, true],
    ['a value not in the list', { detail: { operation: ['succeeded'] } }, false],
    ['prefix', { detail: { jobId: [{ prefix: 'r1-' }] } }, true],
    ['anything-but', { detail: { operation: [{ 'anything-but': ['succeeded'] }] } }, true],
    ['exists: false on a present field', { detail: { jobId: [{ exists: false }] } }, false],
    ['exists: true on a missing field', { detail: { comment: [{ exists: true }] } }, false],
    ['numeric range', { detail: { count: [{ numeric: ['>', 1, '<=', 5] }] } }, true],
    ['an array value matching any element', { detail: { tags: ['b'] } }, true],
    ['a nested object the event lacks', { other: { x: ['y'] } }, false],
  ])('%s', (_name, pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('treats missing fields as possible matches when optimistic', () => {
    const skeleton = { source: 'ota-release.iot-jobs', detail: { operation: 'failed' } };
    expect(matchesPattern({ 'detail-type': ['x'], detail: { operation: ['failed'], jobId: [{ prefix: 'r' }] } }, skeleton, true)).toBe(true);
    expect(matchesPattern({ detail: { operation: ['succeeded'] } }, skeleton, true)).toBe(false);
  });

  it('refuses operators it does not implement', () => {
    expect(() => matchesPattern({ detail: { jobId: [{ wildcard: 'r*' }] } }, event)).toThrow('"wildcard" is not supported');
  });
});
